using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Json;

/// <summary>
/// Reads a request body so that a malformed one becomes a 400 naming the offending field,
/// rather than a bare 400 from model binding.
/// </summary>
public static class JsonBody
{
    public static async Task<(T? Value, ValidationProblem? Problem)> ReadAsync<T>(
        HttpRequest request, CancellationToken cancellationToken, bool allowGeoJson = false)
        where T : class
    {
        var geoJson = allowGeoJson && request.ContentType?.StartsWith("application/geo+json", StringComparison.OrdinalIgnoreCase) == true;
        if (!geoJson && !request.HasJsonContentType())
        {
            return (null, Problems.Field("body", "The body must be JSON (Content-Type: application/json)."));
        }
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, TwinJson.Options, cancellationToken);
            return value is null ? (null, Problems.Field("body", "The body is empty.")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.Field(FieldName(ex.Path), FirstSentence(ex.Message)));
        }
    }

    /// <summary>"$.location[1]" → "location[1]"; the root is "body".</summary>
    public static string FieldName(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "body" : jsonPath.TrimStart('$', '.');

    public static string FirstSentence(string message)
    {
        // System.Text.Json appends "Path: ... | LineNumber: ..." which repeats what the field name says.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}

public static class Problems
{
    /// <summary>Collects one more message for a field, for a ValidationProblem listing every bad field at once.</summary>
    public static void AddError(this Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }
        list.Add(message);
    }

    public static ValidationProblem Field(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem Fields(IReadOnlyDictionary<string, List<string>> errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

    public static ProblemHttpResult NotFound(string kind, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Unknown {kind}", detail: $"There is no {kind} '{id}'.");
}
