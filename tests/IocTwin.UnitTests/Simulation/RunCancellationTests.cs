using IocTwin.Model;
using IocTwin.Simulation;
using static IocTwin.Tests.Simulation.SimulationCities;

namespace IocTwin.Tests.Simulation;

/// <summary>A run stopped part way (an operator cancels it, the scenario is deleted): its routes are worked out ahead of it.</summary>
public sealed class RunCancellationTests
{
    [Theory]
    [InlineData(TrafficModel.Static)]
    [InlineData(TrafficModel.Dynamic)]
    public void A_run_cancelled_part_way_stops_at_the_next_step_and_a_new_run_gives_the_whole_result(TrafficModel model)
    {
        var inputs = BusyDaNangDay with { Model = model };
        using var cancel = new CancellationTokenSource();
        var stepsSeen = 0;

        Assert.ThrowsAny<OperationCanceledException>(() => Simulator.Run(DaNang, inputs, 120, 60, progress: p =>
        {
            stepsSeen = p.Step + 1;
            if (p.Step == 9)
            {
                cancel.Cancel();
            }
        }, cancellationToken: cancel.Token));

        Assert.Equal(10, stepsSeen);
        var whole = Simulator.Run(DaNang, inputs, 120, 60);
        Assert.Equal(120, whole.Steps.Count);
        Assert.Equal(0, whole.Trips.Imbalance, 6);
    }
}
