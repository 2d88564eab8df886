using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace IocTwin.Api.Json;

/// <summary>
/// Turns a request ASP.NET Core could not read or bind into a 4xx ProblemDetails on every endpoint, rather than a 500
/// or an empty 400:
/// <list type="bullet">
/// <item>a typed body that is not the JSON its record expects (a string for a number, a malformed position, broken
/// syntax) is a 400 validation problem naming the field, as <see cref="JsonException.Path"/> locates it;</item>
/// <item>a body that breaks one of Kestrel's limits (over MaxRequestBodySize, 30 MB by default; too slow; cut short)
/// answers its own status (413, 408, 400).</item>
/// </list>
/// Typed bodies are declared nullable, so that an empty body reaches its handler, which answers
/// <see cref="Problems.EmptyBody"/>. Binding failures reach this handler because the API sets <see cref="RouteHandlerOptions.ThrowOnBadRequest"/> in
/// every environment; without it, production would answer them with an empty 400.
/// </summary>
public sealed class BadRequestBodyHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (Find<BadHttpRequestException>(exception) is not { } bad || context.Response.HasStarted)
        {
            return false;
        }
        if (Find<JsonException>(exception) is { } json)
        {
            await Problems.Field(FieldName(json.Path), FirstSentence(json.Message)).ExecuteAsync(context);
            return true;
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
                Title = bad.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "Request body too large",
                    StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
                    _ => "Unreadable request body",
                },
                Detail = bad.Message,
            },
        });
    }

    /// <summary>"$.location[1]" → "location[1]"; the root is "body".</summary>
    public static string FieldName(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "body" : jsonPath.TrimStart('$', '.');

    /// <summary>System.Text.Json appends "Path: ... | LineNumber: ..." which repeats what the field name says.</summary>
    public static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>The exception itself, or one it wraps.</summary>
    private static T? Find<T>(Exception exception) where T : Exception
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }
        return null;
    }
}
