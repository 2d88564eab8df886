using System.Collections.Concurrent;
using IocTwin.Api.Streaming;
using IocTwin.Tests.Infrastructure;
using IocTwin.Tests.Streaming;
using Microsoft.AspNetCore.SignalR.Client;

namespace IocTwin.Tests.Assets;

/// <summary>An OC's screen subscribed to one scope, recording the frames of one hub method it receives.</summary>
public sealed class FrameScreen<TFrame> : IAsyncDisposable
{
    private readonly LiveScreen _screen;
    private readonly Func<TFrame, string> _scopeOf;
    private readonly ConcurrentQueue<TFrame> _frames = new();

    private FrameScreen(LiveScreen screen, Func<TFrame, string> scopeOf) => (_screen, _scopeOf) = (screen, scopeOf);

    public string Scope { get; private init; } = "";

    public IReadOnlyList<TFrame> Frames => [.. _frames];

    public static async Task<FrameScreen<TFrame>> OpenAsync(TwinApiFactory api, string token, string scope, string method, Func<TFrame, string> scopeOf)
    {
        var screen = new FrameScreen<TFrame>(await LiveScreen.ConnectAsync(api, token), scopeOf) { Scope = scope };
        screen._screen.Connection.On<TFrame>(method, frame => screen._frames.Enqueue(frame));
        await screen._screen.Subscribe(scope);
        return screen;
    }

    public Task WaitFor(Func<TFrame, bool> condition, string because) =>
        Eventually.Until(() => Task.FromResult(Frames.Any(f => _scopeOf(f) == Scope && condition(f))), seen => seen, TimeSpan.FromSeconds(15), because);

    public ValueTask DisposeAsync() => _screen.DisposeAsync();
}

/// <summary>An OC's screen recording the moving assets it is sent.</summary>
public static class AssetScreen
{
    public static Task<FrameScreen<AssetsFrame>> OpenAsync(TwinApiFactory api, string token, string scope) =>
        FrameScreen<AssetsFrame>.OpenAsync(api, token, scope, HubMethods.Assets, f => f.Scope);
}
