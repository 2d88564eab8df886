using System.Text.Json;
using IocTwin.Api.Assets;
using IocTwin.Api.Json;
using MQTTnet;

namespace IocTwin.Api.Ingest;

/// <summary>
/// Asset positions published to the broker on <see cref="MqttOptions.AssetTopic"/> (<c>ioctwin/assets/{assetId}/position</c>):
/// the payload is one item of a <c>POST /api/v1/assets/positions</c> batch, or an array of them, for the topic's asset
/// (an item's <c>id</c> may be left out; one naming another asset is refused). Checked whole by the HTTP path's rules
/// (<see cref="AssetIngest.CheckAsync"/>) and stored through the same ingest.
/// </summary>
public sealed class MqttAssetPositions(AssetIngest ingest)
{
    /// <summary>
    /// The asset a topic is for: the level the filter's first <c>+</c> stands at (the last level when it has none), or null
    /// when the topic does not match the filter.
    /// </summary>
    public static string? AssetIdIn(string filter, string topic)
    {
        if (filter.StartsWith("$share/", StringComparison.Ordinal) && filter.IndexOf('/', "$share/".Length) is var group and > 0)
        {
            // A shared subscription delivers the topics of the filter after its group.
            filter = filter[(group + 1)..];
        }
        if (MqttTopicFilterComparer.Compare(topic, filter) != MqttTopicFilterCompareResult.IsMatch)
        {
            return null;
        }
        var levels = topic.Split('/');
        var wildcard = Array.IndexOf(filter.Split('/'), "+");
        return levels[wildcard >= 0 ? wildcard : levels.Length - 1];
    }

    /// <summary>The payload's reports for the asset, or why it is refused (nothing of it is taken).</summary>
    public async Task<(List<AssetReport> Reports, string? Error)> ParseAsync(string assetId, byte[] payload)
    {
        if (payload.Length > MqttIngestService.MaxPayloadBytes)
        {
            return ([], $"payload: larger than {MqttIngestService.MaxPayloadBytes} bytes");
        }
        AssetPositionRequest?[] items;
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            items = root.ValueKind switch
            {
                JsonValueKind.Object => [root.Deserialize<AssetPositionRequest>(TwinJson.Options)],
                JsonValueKind.Array => root.Deserialize<AssetPositionRequest?[]>(TwinJson.Options) ?? [],
                _ => [],
            };
        }
        catch (JsonException ex)
        {
            return ([], $"payload: malformed: {ex.Message}");
        }
        if (items.Length == 0)
        {
            return ([], "payload: must be a position { lat, lon, ... } or a non-empty array of them");
        }
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] is { Id: { } id } && id != assetId)
            {
                return ([], $"[{i}].id: '{id}' is not the topic's asset '{assetId}'");
            }
            items[i] = items[i] is { } item ? item with { Id = assetId } : null;
        }
        var errors = new Dictionary<string, List<string>>();
        if (await ingest.CheckAsync(items, errors) is not { } reports)
        {
            var (field, messages) = errors.First();
            return ([], $"{field}: {messages[0]}");
        }
        return (reports, null);
    }

    /// <summary>Stores the reports; <see cref="IngestSaturatedException"/> when the twin's ingest budget is full.</summary>
    public Task<AssetIngestResult> IngestAsync(List<AssetReport> reports) => ingest.IngestAsync(reports);
}
