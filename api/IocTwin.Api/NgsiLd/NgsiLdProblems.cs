namespace IocTwin.Api.NgsiLd;

/// <summary>
/// The ETSI NGSI-LD problem types (GS CIM 009, error types), answered as application/json problem details with
/// type, title and detail, as the specification asks.
/// </summary>
public static class NgsiLdProblems
{
    public const string Base = "https://uri.etsi.org/ngsi-ld/errors/";

    public static IResult BadRequestData(string detail) => Problem(400, "BadRequestData", "Bad request data", detail);

    public static IResult InvalidRequest(string detail) => Problem(400, "InvalidRequest", "Invalid request", detail);

    public static IResult ResourceNotFound(string detail) => Problem(404, "ResourceNotFound", "Resource not found", detail);

    public static IResult AlreadyExists(string detail) => Problem(409, "AlreadyExists", "Already exists", detail);

    public static IResult OperationNotSupported(string detail) => Problem(422, "OperationNotSupported", "Operation not supported", detail);

    public static IResult LdContextNotAvailable(string detail) => Problem(503, "LdContextNotAvailable", "@context not available", detail);

    public static IResult NoMultiTenantSupport(string detail) => Problem(501, "NoMultiTenantSupport", "No multi-tenant support", detail);

    public static IResult NonexistentTenant(string detail) => Problem(404, "NonexistentTenant", "Nonexistent tenant", detail);

    /// <summary>The specification defines no type of its own for 406: the plain HTTP problem.</summary>
    public static IResult NotAcceptable(string detail) =>
        TypedResults.Json(new NgsiLdProblem("about:blank", "Not Acceptable", detail, 406), NgsiLdJson.Options, "application/json", 406);

    public static IResult TooManyResults(string detail) => Problem(400, "BadRequestData", "Too many results asked for", detail);

    /// <summary>A problem as an item of a batch result, or the answer to a single write.</summary>
    public static NgsiLdProblem Item(int status, string type, string detail) => new(Base + type, Titles.GetValueOrDefault(type, type), detail, status);

    public static IResult ToResult(this NgsiLdProblem problem) =>
        TypedResults.Json(problem, NgsiLdJson.Options, "application/json", problem.Status);

    private static readonly Dictionary<string, string> Titles = new()
    {
        ["BadRequestData"] = "Bad request data",
        ["ResourceNotFound"] = "Resource not found",
        ["OperationNotSupported"] = "Operation not supported",
    };

    public static IResult Problem(int status, string type, string title, string detail) =>
        TypedResults.Json(new NgsiLdProblem(Base + type, title, detail, status), NgsiLdJson.Options, "application/json", status);
}

public sealed record NgsiLdProblem(string Type, string Title, string Detail, int Status);

/// <summary>A bad request value found while parsing; becomes <see cref="NgsiLdProblems.BadRequestData"/> or InvalidRequest.</summary>
public sealed class NgsiLdRequestException(string message, bool invalidRequest = false) : Exception(message)
{
    public bool InvalidRequest { get; } = invalidRequest;

    public IResult ToResult() => InvalidRequest ? NgsiLdProblems.InvalidRequest(Message) : NgsiLdProblems.BadRequestData(Message);
}
