using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IocTwin.Api.Json;
using IocTwin.Api.Streaming;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// A screen speaking the SignalR JSON protocol over long polling by hand, so a test decides exactly when it reads:
/// between two polls the server can only buffer, as with a screen on a frozen browser tab.
/// </summary>
public sealed class PollingScreen
{
    private const char RecordSeparator = '\u001e';
    private readonly HttpClient _http;
    private readonly string _path;
    private readonly List<object> _received = [];
    private readonly Dictionary<string, JsonElement> _completions = [];
    private int _nextInvocation;

    private PollingScreen(HttpClient http, string path)
    {
        _http = http;
        _path = path;
    }

    /// <summary>Every delta, snapshot part and resync frame read so far, in order.</summary>
    public IReadOnlyList<object> Received => _received;

    public IEnumerable<DeltaFrame> Deltas => _received.OfType<DeltaFrame>();

    public IEnumerable<ResyncFrame> Resyncs => _received.OfType<ResyncFrame>();

    public IEnumerable<SnapshotPartFrame> Parts => _received.OfType<SnapshotPartFrame>();

    /// <summary>Negotiates a long-polling connection and completes the JSON protocol handshake.</summary>
    public static async Task<PollingScreen> ConnectAsync(HttpClient http, string token)
    {
        var negotiate = await http.PostAsync($"/hubs/twin/negotiate?negotiateVersion=1&access_token={token}", null);
        negotiate.EnsureSuccessStatusCode();
        var body = await negotiate.Content.ReadFromJsonAsync<JsonElement>();
        var connectionToken = body.GetProperty("connectionToken").GetString();
        var screen = new PollingScreen(http, $"/hubs/twin?id={connectionToken}&access_token={token}");
        await screen.SendAsync("""{"protocol":"json","version":1}""");
        var handshake = await screen.PollUntil(text => text.Length > 0, TimeSpan.FromSeconds(10));
        if (handshake.Split(RecordSeparator)[0] != "{}")
        {
            throw new InvalidOperationException($"Handshake refused: {handshake}");
        }
        return screen;
    }

    /// <summary>
    /// Invokes Subscribe and polls until its result arrives, keeping any frames read meanwhile; a slow screen waits
    /// <paramref name="betweenPolls"/> after each poll.
    /// </summary>
    public async Task<ScopeSnapshot> Subscribe(string scope, TimeSpan betweenPolls = default)
    {
        var id = (++_nextInvocation).ToString();
        await SendAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target = "Subscribe", arguments = new[] { scope } }));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!_completions.ContainsKey(id))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No answer to Subscribe('{scope}')");
            }
            await PollAsync();
            await Task.Delay(betweenPolls);
        }
        var completion = _completions[id];
        if (completion.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException(error.GetString());
        }
        return completion.GetProperty("result").Deserialize<ScopeSnapshot>(TwinJson.Options)!;
    }

    /// <summary>One long poll: returns once the server has sent something (or the poll timed out).</summary>
    public async Task PollAsync()
    {
        var response = await _http.GetAsync(_path);
        response.EnsureSuccessStatusCode();
        Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Ends the connection, as the SignalR clients do when a long-polling screen closes.</summary>
    public async Task CloseAsync() => await _http.DeleteAsync(_path);

    private async Task<string> PollUntil(Func<string, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var text = await (await _http.GetAsync(_path)).EnsureSuccessStatusCode().Content.ReadAsStringAsync();
            if (done(text) || DateTime.UtcNow > deadline)
            {
                return text;
            }
        }
    }

    private async Task SendAsync(string json)
    {
        var response = await _http.PostAsync(_path, new StringContent(json + RecordSeparator, Encoding.UTF8, "text/plain"));
        response.EnsureSuccessStatusCode();
    }

    private void Parse(string text)
    {
        foreach (var record in text.Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var message = JsonDocument.Parse(record).RootElement.Clone();
            switch (message.GetProperty("type").GetInt32())
            {
                case 1 when message.GetProperty("target").GetString() == HubMethods.Delta:
                    _received.Add(message.GetProperty("arguments")[0].Deserialize<DeltaFrame>(TwinJson.Options)!);
                    break;
                case 1 when message.GetProperty("target").GetString() == HubMethods.SnapshotPart:
                    _received.Add(message.GetProperty("arguments")[0].Deserialize<SnapshotPartFrame>(TwinJson.Options)!);
                    break;
                case 1 when message.GetProperty("target").GetString() == HubMethods.Resync:
                    _received.Add(message.GetProperty("arguments")[0].Deserialize<ResyncFrame>(TwinJson.Options)!);
                    break;
                case 3:
                    _completions[message.GetProperty("invocationId").GetString()!] = message;
                    break;
            }
        }
    }
}
