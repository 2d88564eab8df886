using IocTwin.Api.Apis;
using IocTwin.Api.Audit;
using IocTwin.Api.Extensions;
using IocTwin.Api.NgsiLd;

var builder = WebApplication.CreateBuilder(args);

builder.AddIocTwinApi();
builder.AddNgsiLd();

var app = builder.Build();

app.AnnounceUrls();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseScreens();
app.UseAuthentication();
app.UseTwinRateLimits();
app.UseAuthorization();

app.MapOperations();
app.MapTwinHealthChecks();
app.MapReadingsApi();
app.MapTwinQueryApi();
app.MapTopologyApi();
app.MapHistoryApi();
app.MapScenariosApi();
app.MapAlertsApi();
app.MapAuditApi();
app.MapNgsiLdApi();
app.MapDevTokenApi();
app.MapTwinHub();

app.Run();

public partial class Program { }
