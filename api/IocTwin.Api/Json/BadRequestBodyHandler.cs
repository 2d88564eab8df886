using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace IocTwin.Api.Json;

/// <summary>
/// Kestrel stops reading a body that breaks one of its limits (over MaxRequestBodySize, 30 MB by default; too slow;
/// cut short) by throwing <see cref="BadHttpRequestException"/> from inside whichever reader the endpoint uses. Its
/// status (413, 408, 400) is the answer, as ProblemDetails, on every endpoint, rather than a 500.
/// </summary>
public sealed class BadRequestBodyHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (Find(exception) is not { } bad || context.Response.HasStarted)
        {
            return false;
        }
        context.Response.StatusCode = bad.StatusCode;
        // The rest of the body is not read: the connection is closed after this answer.
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Unreadable request body",
                Detail = bad.Message,
            },
        });
    }

    /// <summary>The exception itself, or one a reader wrapped it in.</summary>
    private static BadHttpRequestException? Find(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is BadHttpRequestException bad)
            {
                return bad;
            }
        }
        return null;
    }
}
