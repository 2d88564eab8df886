using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Json;

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

    /// <summary>For a typed body declared nullable: an empty body, or JSON null, binds as null.</summary>
    public static ValidationProblem EmptyBody() => Field("body", "The body is empty.");

    public static ValidationProblem Fields(IReadOnlyDictionary<string, List<string>> errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

    public static ProblemHttpResult NotFound(string kind, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Unknown {kind}", detail: $"There is no {kind} '{id}'.");
}
