using Microsoft.Net.Http.Headers;

namespace IocTwin.Api.Extensions;

/// <summary>
/// Headers that keep a name or message from the twin's data from ever running as script in the screens, and keep the
/// screens out of other sites' frames. The screens load only their own files (ES modules, vendored libraries, CSS),
/// talk only to their own origin (REST, SignalR over WebSockets) and draw the map from the twin's geometry with no
/// tile server, so everything is 'self'; data: is for the empty favicon.
/// </summary>
public static class SecurityHeadersExtensions
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The Orleans dashboard is a separate app with its own assets and inline styles, not written against this policy.</summary>
    private static readonly PathString Dashboard = new("/dashboard");

    /// <summary>Sets the headers on every response (screens, API answers, errors) before the rest of the pipeline runs.</summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers[HeaderNames.XContentTypeOptions] = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            if (!context.Request.Path.StartsWithSegments(Dashboard))
            {
                headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
            }
            return next(context);
        });
        return app;
    }
}
