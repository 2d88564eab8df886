using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Api;

/// <summary>A twin whose dashboard times grain methods (<c>Twin:Dashboard:ProfileGrainMethods</c>).</summary>
public sealed class ProfilingTwinApiFactory : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Twin:Dashboard:ProfileGrainMethods"] = "true",
    };
}

public sealed class DashboardProfilingTests(ProfilingTwinApiFactory api) : IClassFixture<ProfilingTwinApiFactory>
{
    [Fact]
    public async Task Asked_to_profile_the_dashboard_lists_the_grain_methods_that_take_readings()
    {
        var (_, counter) = await api.Http.CountedSegment("hoa-vang");

        var methods = await OperationsTests.DashboardMethodsWhileFeedingAsync(api.Http, counter.Id, TimeSpan.FromSeconds(60), m => m.Contains("Record"));

        Assert.Contains("Record", methods);
    }
}
