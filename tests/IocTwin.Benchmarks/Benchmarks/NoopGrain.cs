namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>The cheapest grain there is: the reference for what a grain call and a grain activation cost on this silo.</summary>
public interface INoopGrain : IGrainWithStringKey
{
    Task Ping();
}

public sealed class NoopGrain : Grain, INoopGrain
{
    public Task Ping() => Task.CompletedTask;
}
