using System.Diagnostics;
using System.Text.Json;
using IocTwin.Api.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>One screen: a SignalR connection subscribed to one district scope.</summary>
internal sealed class ScreenClient : IProbeReceiver, IAsyncDisposable
{
    /// <summary>What a screen reads of a delta frame: only the sensors' ids and reading counts.</summary>
    private sealed record ProbeFrame(List<ProbeSensor>? Sensors);

    private sealed record ProbeSensor(string Id, long ReadingCount);

    private sealed record SnapshotHeader(string Scope, long Sequence);

    private readonly HubConnection _connection;
    private readonly string _scope;
    private readonly ArrivalLog _log;
    private int _resyncs;

    public ScreenClient(Uri url, string token, string scope, string districtId, ProbeBook book)
    {
        _scope = scope;
        _log = new ArrivalLog(book);
        DistrictId = districtId;
        _connection = new HubConnectionBuilder()
            .WithUrl(url, o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions))
            .Build();
        // All screens share this process's two cores with the server: be patient with keep-alives.
        _connection.ServerTimeout = TimeSpan.FromMinutes(2);
        _connection.HandshakeTimeout = TimeSpan.FromMinutes(1);
        _connection.On<ProbeFrame>("delta", frame =>
        {
            var now = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _log.Frames);
            foreach (var sensor in frame.Sensors ?? [])
            {
                _log.Saw(sensor.Id, sensor.ReadingCount, now);
            }
        });
        _connection.On<JsonElement>("resync", _ => Interlocked.Increment(ref _resyncs));
    }

    public string? DistrictId { get; }

    public long Frames => Interlocked.Read(ref _log.Frames);

    public int Resyncs => Volatile.Read(ref _resyncs);

    /// <summary>Whether <see cref="StartAsync"/> was called (a bounded connect step may end before every screen is tried).</summary>
    public bool Tried { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Tried = true;
        await _connection.StartAsync(cancellationToken);
        await _connection.InvokeAsync<SnapshotHeader>("Subscribe", _scope, cancellationToken);
    }

    public List<(int Probe, long Arrived)> TakeArrivals() => _log.TakeArrivals();

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
