using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Api;

/// <summary>A twin whose dashboard does not time grain methods (<c>Twin:Dashboard:ProfileGrainMethods=false</c>).</summary>
public sealed class UnprofiledTwinApiFactory : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Twin:Dashboard:ProfileGrainMethods"] = "false",
    };
}

public sealed class DashboardProfilingTests(UnprofiledTwinApiFactory api) : IClassFixture<UnprofiledTwinApiFactory>
{
    [Fact]
    public async Task Told_not_to_profile_the_dashboard_times_no_grain_method_so_grain_calls_pay_for_no_profiler()
    {
        var (_, counter) = await api.Http.CountedSegment("hoa-vang");

        // Longer than the dashboard takes to show methods where it times them (its profiler reports every second, the
        // tests' twin samples every 5 s): the profiler its own queries would switch on is not there.
        var methods = await OperationsTests.DashboardMethodsWhileFeedingAsync(api.Http, counter.Id, TimeSpan.FromSeconds(12),
            m => m.Contains(OperationsTests.TwinGrains));

        Assert.DoesNotContain(OperationsTests.TwinGrains, methods);
    }
}
