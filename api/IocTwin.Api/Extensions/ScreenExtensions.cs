using Microsoft.AspNetCore.Rewrite;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace IocTwin.Api.Extensions;

/// <summary>
/// The browser screens in wwwroot: the IOC wall screen at "/", the operation-center screen at "/oc", the what-if
/// scenario screen at "/scenario" and the citizens' public report form at "/report", served with a
/// Content-Security-Policy (see <see cref="SecurityHeadersExtensions"/>).
/// </summary>
public static class ScreenExtensions
{
    public static WebApplication UseScreens(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseRewriter(new RewriteOptions()
            .AddRewrite("^oc/?$", "oc.html", skipRemainingRules: true)
            .AddRewrite("^scenario/?$", "scenario.html", skipRemainingRules: true)
            .AddRewrite("^report/?$", "report.html", skipRemainingRules: true));
        app.UseDefaultFiles();
        var types = new FileExtensionContentTypeProvider();
        // Screens and their translations are UTF-8 (Vietnamese place names): say so rather than let the browser guess.
        types.Mappings[".html"] = "text/html; charset=utf-8";
        types.Mappings[".json"] = "application/json; charset=utf-8";
        types.Mappings[".js"] = "text/javascript; charset=utf-8";
        types.Mappings[".css"] = "text/css; charset=utf-8";
        app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = types,
            // A wall screen runs for days: let it revalidate its files rather than keep an old version cached.
            OnPrepareResponse = context => context.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache",
        });
        return app;
    }
}
