namespace IocTwin.Simulation;

/// <summary>
/// Runs what-if scenarios on a <see cref="RoadNetwork"/>: a time-stepped macroscopic model of traffic, rain and
/// flooding.
/// </summary>
/// <remarks>
/// <para><b>Demand.</b> The usual demand (<see cref="BaselineDemand"/>) follows the time-of-day profile; added demand
/// departs evenly over its window. Trips start at a zone's origin nodes and end at its connectors.</para>
/// <para><b>Traffic.</b> At every step, link flows are the user-equilibrium flows of the current departure rates
/// (quasi-static assignment): BPR travel times, assigned by Algorithm B with bushes rooted at the destination
/// connectors until the relative gap is at most <see cref="SimulationOptions.ConvergenceGap"/> (or
/// <see cref="SimulationOptions.AssignmentIterationLimit"/> iterations). Closed and flooded links are left out, so
/// traffic goes round them; a trip with no open route is reported, never dropped. Routes are updated every
/// <see cref="SimulationOptions.RerouteEveryMinutes"/> and whenever a closure, capacity, speed limit, rain or added
/// demand starts or ends; each assignment after the first starts from the bushes of the one before (closed links
/// taken out; a connector whose bush no longer reaches all its trips starts again from its shortest paths). In the
/// static model (the default) queues do not spill back: demand above capacity shows as BPR delay. With
/// <c>ScenarioInputs.Model</c> set to dynamic, a link transmission model loads the step's departures over the roads on
/// turn fractions from these flows, so queues form at bottlenecks, spill back through junctions and dissipate (see
/// <c>Dynamic.DynamicLoading</c>).</para>
/// <para><b>Trips.</b> Trips between two zones travel for the current zone-to-zone time through four stages in a row
/// (an Erlang-4 spread around that time, so no trip arrives at once). Trips that find no route at departure are
/// unreachable; trips whose route is cut on the way are stranded, wait, and go on if a road opens. The run starts in
/// steady state: the usual trips already on the road are <see cref="TripBalance.InitialEnRoute"/>.</para>
/// <para><b>Rain.</b> Each district holds a ponding depth: rain beyond the drainage capacity raises it
/// (× <see cref="SimulationOptions.RunoffConcentration"/>), and it drains at the drainage capacity. A segment's water
/// is that depth times its flood susceptibility (<see cref="RoadNetwork.FloodSusceptibility"/>); deeper than
/// <see cref="SimulationOptions.FloodDepthM"/> the segment is flooded and closed, shallower it slows traffic. Floods
/// are looked at every <see cref="SimulationOptions.RerouteEveryMinutes"/>, so a district's roads close and open in
/// batches. Rain also costs capacity and speed on the district's roads.</para>
/// <para>A run is a <see cref="SimulationRun"/>: <see cref="RoadConditions"/>, <see cref="AssignmentEngine"/>,
/// <see cref="TrafficKpis"/>, <see cref="TripStages"/> and <see cref="PondingWater"/> in that order every step.</para>
/// <para>The same network, inputs and options always give the same result, bit for bit, whatever the number of cores.
/// A network may run many scenarios at once; its calibrated baseline demand is built on first use and kept.</para>
/// </remarks>
public static class Simulator
{
    public const double MaxHorizonMinutes = 7 * 24 * 60;
    public const int MaxSteps = 100_000;

    /// <summary>Checks scenario inputs against a network without running them.</summary>
    /// <exception cref="ArgumentException">An input is invalid; <see cref="ArgumentException.ParamName"/> names it.</exception>
    public static void Validate(RoadNetwork network, ScenarioInputs inputs, double horizonMinutes) =>
        ScenarioPlan.Compile(network, inputs, horizonMinutes);

    /// <summary>
    /// Builds and keeps on the network what runs of <paramref name="inputs"/> share, so that their first run does not
    /// wait for it: the calibrated usual demand and its equilibrium routes at the demand level the runs start at, with no
    /// intervention (every run's first assignment starts from a copy of those routes).
    /// </summary>
    public static void Prepare(RoadNetwork network, ScenarioInputs inputs, double horizonMinutes, double stepSeconds, SimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= SimulationOptions.Default;
        options.Validate();
        var startScale = SimulationRun.StartScale(inputs, options, horizonMinutes, stepSeconds);
        network.GetBaseline(options);
        if (startScale > 0)
        {
            network.GetBaselineRoutes(options, BaselineRoutes.LevelOf(startScale));
        }
    }

    /// <summary>Runs a scenario for <paramref name="horizonMinutes"/> in steps of <paramref name="stepSeconds"/>.</summary>
    /// <exception cref="ArgumentException">An input is invalid; <see cref="ArgumentException.ParamName"/> names it
    /// (for instance <c>inputs.Interventions[2].SegmentId</c>).</exception>
    public static SimulationResult Run(
        RoadNetwork network,
        ScenarioInputs inputs,
        double horizonMinutes,
        double stepSeconds,
        Action<SimulationProgress>? progress = null,
        SimulationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= SimulationOptions.Default;
        options.Validate();
        if (!(horizonMinutes > 0 && horizonMinutes <= MaxHorizonMinutes))
        {
            throw new ArgumentOutOfRangeException(nameof(horizonMinutes), horizonMinutes,
                $"The horizon must be more than 0 and at most {MaxHorizonMinutes} minutes.");
        }
        if (!(stepSeconds > 0 && double.IsFinite(stepSeconds)))
        {
            throw new ArgumentOutOfRangeException(nameof(stepSeconds), stepSeconds, "The step must be more than 0 seconds.");
        }
        if (horizonMinutes * 60 / stepSeconds > MaxSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(stepSeconds), stepSeconds,
                $"A run has at most {MaxSteps} steps; take longer steps or a shorter horizon.");
        }
        var plan = ScenarioPlan.Compile(network, inputs, horizonMinutes);
        var baseline = network.GetBaseline(options);
        return new SimulationRun(network, baseline, plan, inputs, options, horizonMinutes, stepSeconds).Execute(progress, cancellationToken);
    }
}
