using IocTwin.Api.Access;
using Microsoft.AspNetCore.Hosting;

namespace IocTwin.Tests.Infrastructure;

/// <summary>
/// The API as deployed: Production environment, the test's settings over <see cref="TwinApiFactory"/>'s (a null value
/// removes a setting, so the product's own default applies), and the Da Nang sample only when asked for.
/// </summary>
public abstract class ProductionTwinHost(bool seedSampleCity) : TwinApiFactory
{
    protected abstract IReadOnlyDictionary<string, string?> Changes { get; }

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Twin:SeedSampleCity"] = seedSampleCity ? "true" : "false";
            foreach (var (key, value) in Changes)
            {
                if (value is null)
                {
                    settings.Remove(key);
                }
                else
                {
                    settings[key] = value;
                }
            }
            return settings;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }

    public override Task InitializeAsync()
    {
        if (seedSampleCity)
        {
            return base.InitializeAsync();
        }
        StartServer();
        Http = CreateClient(TwinRoles.Ioc);
        return Task.CompletedTask;
    }
}
