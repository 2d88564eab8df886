using IocTwin.Api.Access;
using IocTwin.Api.Feed;
using IocTwin.Api.Ingest;
using IocTwin.Api.Json;
using IocTwin.Domain;
using IocTwin.History;
using IocTwin.Hosting;
using IocTwin.Persistence;
using IocTwin.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Configuration;

namespace IocTwin.Api.Extensions;

public static class ApiHostingExtensions
{
    public static WebApplicationBuilder AddIocTwinApi(this WebApplicationBuilder builder)
    {
        if (builder.GetTwinHosting().Mode == ApiMode.Embedded)
        {
            builder.AddIocTwinSilo();
        }
        else
        {
            builder.AddIocTwinClient();
        }

        builder.Services.AddTwinTelemetry("ioctwin-api", builder.Configuration,
            metrics => metrics.AddAspNetCoreInstrumentation().AddPrometheusExporter(),
            tracing => tracing.AddAspNetCoreInstrumentation());
        builder.AddTwinAccess();
        builder.AddTwinStreaming();
        builder.AddTwinGovernance();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestBodyHandler>();
        // Typed bodies and parameters that fail to bind throw, in every environment, so that BadRequestBodyHandler
        // answers them with a 400 naming the field instead of production's empty 400.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.AddTwinRateLimits();
        builder.Services.AddOpenApi(o => o.AddSchemaTransformer<OmittedNullSchemaTransformer>().AddSchemaTransformer<ReadingValuesSchemaTransformer>().AddOperationTransformer<RequiredBodyTransformer>());
        builder.Services.ConfigureHttpJsonOptions(o => TwinJson.Configure(o.SerializerOptions));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LateDeliveries>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LateDeliveries>());
        builder.Services.AddSingleton<IngestAdmission>();
        builder.Services.AddSingleton<IngestService>();
        builder.Services.AddSingleton<IReadingIngest>(services => services.GetRequiredService<IngestService>());
        builder.Services.AddSingleton<IocTwin.Api.History.CityReplay>();
        builder.Services.Configure<IocTwin.Api.History.HistoryQueryOptions>(builder.Configuration.GetSection(IocTwin.Api.History.HistoryQueryOptions.SectionName));
        builder.Services.AddSingleton<IocTwin.Api.Apis.KnownEntities>();
        builder.Services.AddSingleton<IocTwin.Api.Apis.AreaOutlines>();
        builder.Services.AddSingleton<IocTwin.Api.Assets.KnownAssets>();
        builder.Services.AddSingleton<IocTwin.Api.Assets.AssetIngest>();
        builder.Services.AddSingleton<MqttAssetPositions>();
        builder.Services.AddSingleton<IocTwin.Api.NgsiLd.VehiclePositions>();
        builder.Services.AddSingleton<IocTwin.Api.Apis.NetworkAssignments>();
        builder.Services.AddOptions<IocTwin.Api.Reports.ReportOptions>()
            .Bind(builder.Configuration.GetSection(IocTwin.Api.Reports.ReportOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IocTwin.Api.Reports.ReportOptions>, IocTwin.Api.Reports.ReportOptions.Validator>();
        builder.Services.AddSingleton<IocTwin.Api.Access.IAreaTreeSource>(sp => sp.GetRequiredService<IocTwin.Api.Apis.KnownEntities>());
        builder.Services.AddTwinHealthChecks();
        builder.Services.Configure<FeedOptions>(builder.Configuration.GetSection(FeedOptions.SectionName));
        if (builder.Configuration.GetValue("Feed:Enabled", false))
        {
            builder.Services.AddHostedService<SyntheticFeedService>();
        }
        builder.Services.AddOptions<MqttOptions>().Bind(builder.Configuration.GetSection(MqttOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MqttOptions>, MqttConnection.Validator>();
        if (builder.Configuration.GetValue("Mqtt:Enabled", false))
        {
            builder.Services.AddHostedService<MqttIngestService>();
        }
        return builder;
    }

    /// <summary>Joins a silo cluster as a client, retrying until a gateway answers.</summary>
    public static WebApplicationBuilder AddIocTwinClient(this WebApplicationBuilder builder)
    {
        var hosting = builder.GetTwinHosting();
        builder.Services.AddReadingHistory(hosting);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = hosting.ClusterId;
                o.ServiceId = hosting.ServiceId;
            });
            if (hosting.Clustering == ClusteringKind.AdoNet)
            {
                SchemaInstaller.RegisterProviderFactories();
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = SchemaInstaller.PostgreSqlInvariant;
                    o.ConnectionString = hosting.ConnectionString;
                });
            }
            else
            {
                client.UseLocalhostClustering(hosting.GatewayPort, hosting.ServiceId, hosting.ClusterId);
            }
            if (builder.Configuration.TracesGrainCalls())
            {
                client.AddActivityPropagation();
            }
            client.Services.Configure<ClientMessagingOptions>(builder.Configuration.GetSection("Twin:Messaging"));
            client.UseConnectionRetryFilter(async (exception, cancellationToken) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                return true;
            });
        });
        return builder;
    }
}
