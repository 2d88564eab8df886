using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Json;

/// <summary>
/// Reads a request body by hand so that a malformed one becomes a 400 naming the offending field. Endpoints with a
/// typed body parameter get the same answer from <see cref="BadRequestBodyHandler"/>; this remains for handlers that
/// still read their body themselves.
/// </summary>
public static class JsonBody
{
    public static async Task<(T? Value, ValidationProblem? Problem)> ReadAsync<T>(
        HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Field("body", "The body must be JSON (Content-Type: application/json)."));
        }
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, TwinJson.Options, cancellationToken);
            return value is null ? (null, Problems.EmptyBody()) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.Field(BadRequestBodyHandler.FieldName(ex.Path), BadRequestBodyHandler.FirstSentence(ex.Message)));
        }
    }
}
