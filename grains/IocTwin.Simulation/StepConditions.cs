using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>
/// The roads and the demand of a run step by step: what each link offers (<see cref="RoadConditions"/>, slowed by the
/// water of <see cref="PondingWater"/>), the scale of each demand component, and whether the step needs an assignment
/// and why. Traffic never feeds back into them, so the run and its route planner (<see cref="RoutePlanner"/>) each
/// follow a copy of their own and see the same steps.
/// </summary>
internal sealed class StepConditions
{
    private readonly ScenarioPlan _plan;
    private readonly ScenarioInputs _inputs;
    private readonly SimulationOptions _o;
    private readonly double _horizon;
    private readonly int _rerouteEvery;
    private readonly LinkConditions _next;

    public StepConditions(RoadNetwork network, ScenarioPlan plan, ScenarioInputs inputs, SimulationOptions options, double horizonMinutes,
        double stepMinutes, int components)
    {
        _plan = plan;
        _inputs = inputs;
        _o = options;
        _horizon = horizonMinutes;
        StepMinutes = stepMinutes;
        Steps = Math.Max(1, (int)Math.Ceiling(horizonMinutes / stepMinutes - 1e-9));
        _rerouteEvery = Math.Max(1, (int)Math.Round(options.RerouteEveryMinutes / stepMinutes));
        Water = new PondingWater(network, options);
        Roads = new RoadConditions(network, plan, options, Water);
        Now = new LinkConditions(network, options);
        _next = new LinkConditions(network, options);
        Scale = new double[components];
    }

    public double StepMinutes { get; }

    public int Steps { get; }

    /// <summary>What the links offer during the step begun last.</summary>
    public LinkConditions Now { get; }

    public RoadConditions Roads { get; }

    public PondingWater Water { get; }

    /// <summary>The scale of each demand component during the step begun last: the usual demand's, then each added group's.</summary>
    public double[] Scale { get; }

    public double Minute(int step) => step * StepMinutes;

    /// <summary>The step's length in minutes (the last one may be cut short by the horizon).</summary>
    public double Length(int step) => Math.Min(StepMinutes, _horizon - Minute(step));

    /// <summary>
    /// Sets the roads and the demand of <paramref name="step"/>; the assignment it needs, if any, given which
    /// components have routes (<paramref name="hasRoutes"/>, as the last assignment left them).
    /// </summary>
    public StepAssignment? Begin(int step, bool[] hasRoutes)
    {
        var minute = Minute(step);
        var dt = Length(step);
        var rerouteTick = step % _rerouteEvery == 0;
        Roads.Fill(minute, dt, rerouteTick || step == 0, _next);
        var changes = Now.ChangesTo(_next);
        var activated = SetScales(minute, dt, hasRoutes, out var demandWindowChanged);
        _next.CopyTo(Now);
        Water.SlowWading(Now);

        // Routes: from scratch at the start; in full after a closure, a reopening or new demand; else a step on.
        AssignmentTrigger? trigger = step == 0 ? AssignmentTrigger.Start
            : changes.Availability || activated ? AssignmentTrigger.NetworkChange
            : changes.Parameters || demandWindowChanged || rerouteTick ? AssignmentTrigger.Reroute
            : null;
        return trigger is { } why
            ? new StepAssignment(why, DriftOnly: why == AssignmentTrigger.Reroute && !changes.Parameters && !demandWindowChanged)
            : null;
    }

    /// <summary>Rain on the water for the next step, at the end of <paramref name="step"/>; the deepest water now, in metres.</summary>
    public double End(int step) => Water.Rain(Roads.RainDepthInput, Length(step) / 60);

    /// <summary>Scales of the demand components for the step; true when one starts with no routes yet.</summary>
    private bool SetScales(double minute, double dt, bool[] hasRoutes, out bool windowChanged)
    {
        var timeOfDay = _inputs.StartTimeOfDay + TimeSpan.FromMinutes(minute + dt / 2);
        Scale[0] = _o.DemandFactorAt(timeOfDay) * _inputs.BaselineDemandScale;
        var fresh = false;
        windowChanged = false;
        for (var g = 0; g < _plan.DemandGroups.Count; g++)
        {
            var group = _plan.DemandGroups[g];
            var overlap = Math.Max(0, Math.Min(group.End, minute + dt) - Math.Max(group.Start, minute));
            var scale = overlap / dt;
            windowChanged |= (scale > 0) != (Scale[g + 1] > 0);
            fresh |= scale > 0 && !hasRoutes[g + 1];
            Scale[g + 1] = scale;
        }
        return fresh;
    }
}

/// <summary>An assignment a step needs: why, and whether only the demand drifted (a bounded number of iterations then).</summary>
internal readonly record struct StepAssignment(AssignmentTrigger Trigger, bool DriftOnly);
