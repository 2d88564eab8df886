using IocTwin.Api.Access;

namespace IocTwin.Api.Extensions;

/// <summary>The REST API's one versioned route group, and what every endpoint in it shares.</summary>
public static class ApiGroupExtensions
{
    /// <summary>Where version 1 of the REST API lives; <see cref="RateLimitingExtensions.CategoryOf"/> reads paths under it.</summary>
    public const string V1 = "/api/v1";

    /// <summary>
    /// A token of any twin role unless an endpoint says otherwise (operate endpoints narrow it to the IOC; ingest and
    /// development tokens allow anonymous callers and check their own key); every refusal and error is ProblemDetails,
    /// a 429 included, since the rate limiter counts every request under the group.
    /// </summary>
    public static RouteGroupBuilder WithTwinApiConventions(this RouteGroupBuilder group)
    {
        group.RequireAuthorization(AccessExtensions.ReadPolicy).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }
}
