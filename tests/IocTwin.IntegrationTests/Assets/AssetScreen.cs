using System.Collections.Concurrent;
using IocTwin.Api.Streaming;
using IocTwin.Tests.Infrastructure;
using IocTwin.Tests.Streaming;
using Microsoft.AspNetCore.SignalR.Client;

namespace IocTwin.Tests.Assets;

/// <summary>An OC's screen subscribed to one scope, recording the asset frames it receives.</summary>
public sealed class AssetScreen : IAsyncDisposable
{
    private readonly LiveScreen _screen;
    private readonly ConcurrentQueue<AssetsFrame> _frames = new();

    private AssetScreen(LiveScreen screen) => _screen = screen;

    public string Scope { get; private init; } = "";

    public IReadOnlyList<AssetsFrame> Frames => [.. _frames];

    public static async Task<AssetScreen> OpenAsync(TwinApiFactory api, string token, string scope)
    {
        var screen = new AssetScreen(await LiveScreen.ConnectAsync(api, token)) { Scope = scope };
        screen._screen.Connection.On<AssetsFrame>(HubMethods.Assets, frame => screen._frames.Enqueue(frame));
        await screen._screen.Subscribe(scope);
        return screen;
    }

    public Task WaitFor(Func<AssetsFrame, bool> condition, string because) =>
        Eventually.Until(() => Task.FromResult(Frames.Any(f => f.Scope == Scope && condition(f))), seen => seen, TimeSpan.FromSeconds(15), because);

    public ValueTask DisposeAsync() => _screen.DisposeAsync();
}
