using IocTwin.Domain;

namespace IocTwin.Api.Apis;

/// <summary>What the screens need to know about this twin before they show anything.</summary>
/// <param name="TimeZone">The IANA id of the city's time zone (setting Twin:TimeZone), in which screens show times.</param>
public sealed record ScreenConfig(string TimeZone);

/// <summary>The screens' settings; nothing in them is scoped, so screens read them before signing in.</summary>
public static class ScreenConfigApi
{
    public static IEndpointRouteBuilder MapScreenConfigApi(this IEndpointRouteBuilder group)
    {
        group.MapGet("/config", (TwinTimeZone timeZone) => TypedResults.Ok(new ScreenConfig(timeZone.IanaId)))
            .WithTags("Screens").AllowAnonymous()
            .WithSummary("Settings the screens follow: the city's time zone.");
        return group;
    }
}
