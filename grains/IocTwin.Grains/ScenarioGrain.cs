using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using IocTwin.Domain;
using IocTwin.Model;
using IocTwin.Simulation;
using IocTwin.Topology;
using Microsoft.Extensions.Logging;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class ScenarioState
{
    [Id(0)] public ScenarioDefinition? Definition { get; set; }
    [Id(1)] public List<StoredIntervention> Interventions { get; set; } = [];
    [Id(2)] public ScenarioStatus Status { get; set; }
    [Id(3)] public double Progress { get; set; }
    [Id(4)] public string? Error { get; set; }
    /// <summary>The report as JSON, as scenarios have always stored it; typed when read.</summary>
    [Id(5)] public string? ReportJson { get; set; }
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Null on scenarios stored before scenarios had owners.</summary>
    [Id(7)] public ScenarioCreator? Creator { get; set; }
}

/// <summary>
/// A what-if scenario. It reads the twin's topology, applies its fork (segments that were not open at the baseline)
/// and its interventions, and runs the simulation twice on the thread pool — without and with the interventions —
/// so the grain stays responsive and the live twin is never written to.
/// </summary>
public sealed class ScenarioGrain(
    [PersistentState("scenario", TwinStorage.Name)] IPersistentState<ScenarioState> state,
    TimeProvider time,
    TwinTimeZone timeZone,
    ILogger<ScenarioGrain> logger) : Grain, IScenarioGrain
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    public static readonly JsonSerializerOptions ReportJson = CreateReportJson();

    private Task<ScenarioReport>? _run;
    // Cancelled when the scenario is deleted while it runs: the simulation stops at its next step.
    private CancellationTokenSource? _cancelRun;
    private ScenarioReport? _report;
    private IGrainTimer? _watch;
    private volatile StepKpis? _latestStep;
    private double _progress;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Status == ScenarioStatus.Running)
        {
            // The process running it went away: say so rather than wait for ever.
            state.State.Status = ScenarioStatus.Failed;
            state.State.Error = "The run was interrupted; run the scenario again.";
            await state.WriteStateAsync(cancellationToken);
            await Index.RunEnded(this.GetPrimaryKeyString());
        }
    }

    /// <summary>The caller has reserved the scenario's place in the index.</summary>
    public async Task<ScenarioSummary> Create(ScenarioDefinition definition, ScenarioCreator creator)
    {
        state.State = new ScenarioState { Definition = definition, CreatedAt = time.GetUtcNow(), Creator = creator };
        await state.WriteStateAsync();
        return Summary();
    }

    public Task<ScenarioSummary?> Get() => Task.FromResult(state.State.Definition is null ? null : Summary());

    public async Task<ScenarioSummary> AddIntervention(InterventionSpec intervention)
    {
        var definition = Existing();
        if (state.State.Status == ScenarioStatus.Running)
        {
            throw new InvalidOperationException("The scenario is running; add interventions when it is done.");
        }
        var network = RoadNetwork.FromCity(await ForkedCityAsync(definition));
        List<InterventionSpec> interventions = [.. Interventions(), intervention];
        try
        {
            Simulator.Validate(network, Inputs(definition, interventions), definition.HorizonMinutes);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException(ex.Message.Split(" (Parameter")[0], ScenarioInterventions.RequestField(ex.ParamName));
        }
        state.State.Interventions = [.. interventions.Select(StoredIntervention.From)];
        // A changed scenario needs a new run.
        state.State.Status = ScenarioStatus.Draft;
        state.State.ReportJson = null;
        _report = null;
        state.State.Progress = 0;
        await state.WriteStateAsync();
        return Summary();
    }

    public async Task<ScenarioSummary> Run()
    {
        var definition = Existing();
        if (state.State.Status == ScenarioStatus.Running)
        {
            return Summary();
        }
        var network = RoadNetwork.FromCity(await ForkedCityAsync(definition));
        var inputs = Inputs(definition, Interventions());
        var id = this.GetPrimaryKeyString();
        _progress = 0;
        _latestStep = null;
        _cancelRun = new CancellationTokenSource();
        var cancellation = _cancelRun.Token;
        // CPU-bound: off the grain's scheduler, so Get and progress keep flowing.
        _run = Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            var options = new SimulationOptions { ConvergenceGap = definition.Gap };
            var baseline = Simulator.Run(network, inputs.WithoutInterventions(), definition.HorizonMinutes, definition.StepSeconds,
                p => Volatile.Write(ref _progress, p.Fraction / 2), options: options, cancellationToken: cancellation);
            var scenario = Simulator.Run(network, inputs, definition.HorizonMinutes, definition.StepSeconds, p =>
            {
                _latestStep = p.Kpis;
                Volatile.Write(ref _progress, 0.5 + p.Fraction / 2);
            }, options: options, cancellationToken: cancellation);
            return ScenarioReportBuilder.From(id, baseline, scenario, clock.Elapsed.TotalSeconds);
        }, cancellation);
        state.State.Status = ScenarioStatus.Running;
        state.State.Progress = 0;
        state.State.Error = null;
        state.State.ReportJson = null;
        _report = null;
        await state.WriteStateAsync();
        this.DelayDeactivation(TimeSpan.FromHours(1));
        StopWatching();
        _watch = this.RegisterGrainTimer(WatchRunAsync, new GrainTimerCreationOptions(ProgressInterval, ProgressInterval) { KeepAlive = true });
        return Summary();
    }

    public Task<ScenarioReport?> GetReport()
    {
        // Read from its JSON once per activation: a report is large and read far more often than written.
        if (_report is null && state.State.ReportJson is { } json)
        {
            _report = JsonSerializer.Deserialize<ScenarioReport>(json, ReportJson);
        }
        return Task.FromResult(_report);
    }

    public async Task Delete()
    {
        await state.ClearStateAsync();
        _report = null;
        await Index.Remove(this.GetPrimaryKeyString());
        if (_run is null)
        {
            StopWatching();
            DeactivateOnIdle();
        }
        // A run under way stops at its next step; it keeps its slot until its thread is done, so deleting cannot
        // exceed the cap on runs.
        _cancelRun?.Cancel();
    }

    private IScenarioIndexGrain Index => GrainFactory.GetGrain<IScenarioIndexGrain>(0);

    private async Task WatchRunAsync(CancellationToken cancellationToken)
    {
        if (_run is not { } run)
        {
            StopWatching();
            return;
        }
        if (state.State.Definition is null)
        {
            // Deleted while running.
            if (run.IsCompleted)
            {
                _run = null;
                EndRun();
                StopWatching();
                await Index.RunEnded(this.GetPrimaryKeyString());
                DeactivateOnIdle();
            }
            return;
        }
        state.State.Progress = Volatile.Read(ref _progress);
        if (!run.IsCompleted)
        {
            Publish();
            return;
        }
        _run = null;
        EndRun();
        if (run.IsCompletedSuccessfully)
        {
            state.State.Status = ScenarioStatus.Completed;
            state.State.Progress = 1;
            state.State.ReportJson = JsonSerializer.Serialize(run.Result, ReportJson);
            _report = run.Result;
        }
        else
        {
            var error = run.Exception?.GetBaseException();
            logger.LogWarning(error, "Scenario {Scenario} failed", this.GetPrimaryKeyString());
            state.State.Status = ScenarioStatus.Failed;
            state.State.Error = error?.Message ?? "The run failed.";
        }
        // Not the timer's token: stopping the timer must not abandon the result.
        await state.WriteStateAsync(CancellationToken.None);
        Publish();
        StopWatching();
        await Index.RunEnded(this.GetPrimaryKeyString());
    }

    private void EndRun()
    {
        _cancelRun?.Dispose();
        _cancelRun = null;
    }

    private void StopWatching()
    {
        _watch?.Dispose();
        _watch = null;
    }

    private void Publish()
    {
        // City-wide figures are the IOC's: a scenario an OC created streams its status and progress only.
        var step = state.State.Creator is null or { SeesCity: true } ? _latestStep : null;
        GrainFactory.GetGrain<ITwinPublisher>(0).PublishScenario(new ScenarioProgress(
            this.GetPrimaryKeyString(), state.State.Status, state.State.Progress, step?.Minute, step?.MeanSpeedKmh,
            step?.CumulativeDelayVehHours, step?.CongestedKm, state.State.Error)).Ignore();
    }

    /// <summary>The twin's topology as the fork sees it: segments keep the status they had at the baseline.</summary>
    private async Task<CitySpec> ForkedCityAsync(ScenarioDefinition definition)
    {
        var live = await LiveTopology.ReadAsync(GrainFactory);
        return live with
        {
            Segments = [.. live.Segments.Select(s => s with { Status = definition.ForkedStatuses.GetValueOrDefault(s.Id, SegmentStatus.Open) })],
        };
    }

    private ScenarioInputs Inputs(ScenarioDefinition definition, IEnumerable<InterventionSpec> interventions) => new()
    {
        StartTimeOfDay = timeZone.ToLocal(definition.BaselineTime).TimeOfDay,
        Model = definition.Model,
        Interventions = [.. interventions.Select(ScenarioInterventions.ToSimulation)],
    };

    private List<InterventionSpec> Interventions() => [.. state.State.Interventions.Select(i => i.ToSpec())];

    private ScenarioDefinition Existing() =>
        state.State.Definition ?? throw new KeyNotFoundException($"There is no scenario '{this.GetPrimaryKeyString()}'.");

    private ScenarioSummary Summary()
    {
        var definition = Existing();
        return new ScenarioSummary(this.GetPrimaryKeyString(), definition.Name, state.State.Status, state.State.Progress,
            definition.BaselineTime, definition.FromLive, definition.HorizonMinutes, definition.StepSeconds,
            Interventions(), state.State.Error, state.State.CreatedAt, state.State.Creator, definition.Gap, definition.Model);
    }

    private static JsonSerializerOptions CreateReportJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter<LevelOfService>());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        return options;
    }
}
