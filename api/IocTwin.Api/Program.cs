using IocTwin.Api.Apis;
using IocTwin.Api.Assets;
using IocTwin.Api.Audit;
using IocTwin.Api.Extensions;
using IocTwin.Api.NgsiLd;
using IocTwin.Api.Reports;
using IocTwin.Api.Streaming;

SharedArrayPoolSize.SetForScreens();
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

var api = app.MapGroup(ApiGroupExtensions.V1).WithTwinApiConventions();
api.MapReadingsApi();
api.MapTwinQueryApi();
api.MapTopologyApi();
api.MapHistoryApi();
api.MapAlertsApi();
api.MapAuditApi();
api.MapDevTokenApi();
api.MapScreenConfigApi();
api.MapScenariosApi();
api.MapNetworksApi();
api.MapAssetsApi();
api.MapGeofencesApi();
api.MapReportsApi();
api.MapSectorsApi();

app.MapNgsiLdApi();
app.MapTwinHub();

app.Run();

public partial class Program { }
