using System.Collections.Concurrent;
using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>
/// The assignments of a run, worked out on a thread of their own ahead of the steps that use them. They depend only on
/// the roads and the demand (<see cref="StepConditions"/>), never on the traffic the run moves, so while the run loads
/// and measures the traffic of the steps before a re-route, the re-route is being worked out: with dynamic loading the
/// two take about the same time. The planner follows its own copy of the conditions and hands each assignment's routes
/// over in step order; they are those of the same assignments made in line, bit for bit.
/// </summary>
internal sealed class RoutePlanner : IDisposable
{
    // One assignment waiting while the next is worked out: each hand-over holds a few megabytes of zone-pair times.
    private readonly BlockingCollection<Planned> _ready = new(boundedCapacity: 1);
    private readonly ConcurrentBag<RouteSnapshot> _free = [];
    private readonly AssignmentEngine _engine;
    private readonly StepConditions _conditions;
    private readonly SimulationOptions _o;
    private readonly int _links;
    private readonly CancellationTokenSource _stop;
    private readonly Task _run;

    public RoutePlanner(AssignmentEngine engine, StepConditions conditions, SimulationOptions options, int links,
        CancellationToken cancellationToken)
    {
        _engine = engine;
        _conditions = conditions;
        _o = options;
        _links = links;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _run = Task.Factory.StartNew(Plan, _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// The record and routes of the assignment at <paramref name="step"/>, waiting for them; give the routes back with
    /// <see cref="Return"/> once taken in.
    /// </summary>
    public (AssignmentRecord Record, RouteSnapshot Routes) Take(int step, CancellationToken cancellationToken)
    {
        if (!_ready.TryTake(out var next, Timeout.Infinite, cancellationToken))
        {
            // Planning ended early: its own exception, if it failed.
            _run.GetAwaiter().GetResult();
            throw new InvalidOperationException($"No assignment was planned for step {step}.");
        }
        if (next.Record.Step != step)
        {
            throw new InvalidOperationException($"The assignment planned for step {next.Record.Step} came at step {step}.");
        }
        return (next.Record, next.Routes);
    }

    /// <summary>Routes taken in, for the planner to fill again.</summary>
    public void Return(RouteSnapshot routes) => _free.Add(routes);

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _run.Wait();
        }
        catch (AggregateException)
        {
            // Cancelled, or failed after the run stopped taking its assignments: nothing is waiting for it.
        }
        _stop.Dispose();
        _ready.Dispose();
    }

    private void Plan()
    {
        var flow = new double[_links];
        var cost = new double[_links];
        try
        {
            for (var step = 0; step < _conditions.Steps; step++)
            {
                _stop.Token.ThrowIfCancellationRequested();
                if (_conditions.Begin(step, _engine.HasRoutes) is { } assignment)
                {
                    // A re-route for the demand's drift alone updates the routes by a bounded number of iterations.
                    int? limit = assignment.DriftOnly && _o.RerouteIterations is { } bound ? Math.Min(bound, _o.AssignmentIterationLimit) : null;
                    var (iterations, gap, converged) = _engine.Equilibrate(_conditions.Now, _conditions.Scale,
                        fromScratch: assignment.Trigger == AssignmentTrigger.Start, flow, cost, limit, _stop.Token);
                    var routes = _free.TryTake(out var reused) ? reused : new RouteSnapshot(_engine);
                    routes.CopyFrom(_engine);
                    var record = new AssignmentRecord(step, _conditions.Minute(step), assignment.Trigger, iterations, gap, converged);
                    _ready.Add(new Planned(record, routes), _stop.Token);
                }
                _conditions.End(step);
            }
        }
        finally
        {
            _ready.CompleteAdding();
        }
    }

    private sealed record Planned(AssignmentRecord Record, RouteSnapshot Routes);
}
