using System.Reflection;
using IocTwin.Grains;

namespace IocTwin.Tests.Grains;

/// <summary>What silos and API processes of two versions need from each other while a cluster is upgraded one by one.</summary>
public sealed class GrainContractTests
{
    private static readonly Type[] GrainInterfaces = [.. typeof(ISensorGrain).Assembly.GetExportedTypes()
        .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t))];

    [Fact]
    public void Every_grain_method_has_a_wire_name_of_its_own_that_its_parameter_types_do_not_decide()
    {
        Assert.Contains(typeof(ISensorGrain), GrainInterfaces);
        Assert.Contains(typeof(ITwinObserver), GrainInterfaces);
        Assert.Contains(typeof(IReportGrain), GrainInterfaces);
        Assert.Contains(typeof(IReportIndexGrain), GrainInterfaces);
        foreach (var grainInterface in GrainInterfaces)
        {
            var methods = grainInterface.GetMethods();
            var names = methods.Select(m => (Method: m.Name, Alias: m.GetCustomAttribute<AliasAttribute>()?.Alias)).ToList();
            Assert.All(names, n => Assert.False(string.IsNullOrEmpty(n.Alias), $"{grainInterface.Name}.{n.Method} has no [Alias]"));
            Assert.Equal(names.Count, names.Select(n => n.Alias).Distinct().Count());
        }
        // The name the generated call carries on the wire is the alias.
        var wireNames = typeof(ISensorGrain).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<CompoundTypeAliasAttribute>())
            .Select(a => a.Components)
            .Where(c => c.Contains(typeof(ISensorGrain)))
            .Select(c => c[^1])
            .ToList();
        Assert.Contains("Record", wireNames);
    }
}
