using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>What a write makes of a context entity: the entity after it, the outcome, and the attributes it changed.</summary>
public sealed record ContextWriteResult(ContextEntity? Entity, ContextWriteOutcome Outcome, string[] Changed, ContextChangeKind? Change);

/// <summary>
/// The NGSI-LD write operations (GS CIM 009 clause 5.6) on a context entity, pure: create, replace, upsert, merge,
/// append (with or without overwrite), update, partial attribute update, attribute and entity delete. A write either
/// applies whole or changes nothing; attributes it leaves alone are named with the reason, for a 207 notUpdated.
/// </summary>
public static class ContextEntityWrites
{
    /// <summary>The GeoProperty whose position places an entity in a district.</summary>
    public const string Location = "https://uri.etsi.org/ngsi-ld/location";

    /// <summary>The most instances (datasetIds) one attribute may hold; a write that would pass it changes nothing.</summary>
    public const int MaxInstances = 64;

    private static readonly IReadOnlyDictionary<string, string> NoneLeft = new Dictionary<string, string>();

    public static ContextWriteResult Apply(string id, ContextEntity? current, ContextEntityWrite write, DateTimeOffset now)
    {
        if (current is null)
        {
            if (write.Mode is not (ContextWriteMode.Create or ContextWriteMode.UpsertReplace or ContextWriteMode.UpsertUpdate) || write.Type is null)
            {
                return Unchanged(ContextWriteStatus.NotFound);
            }
            var attributes = Stamped(write.Attributes, now);
            var created = new ContextEntity(id, write.Type, attributes, now, now, DistrictOf(attributes, write, null));
            return new ContextWriteResult(created, Outcome(ContextWriteStatus.Created, NoneLeft), [.. attributes.Keys], ContextChangeKind.Created);
        }
        if (write.Type is not null && write.Type != current.Type)
        {
            return Unchanged(ContextWriteStatus.TypeMismatch);
        }
        var next = new Dictionary<string, ContextAttribute>(current.Attributes, StringComparer.Ordinal);
        var notUpdated = new Dictionary<string, string>(StringComparer.Ordinal);
        var changed = new List<string>();
        switch (write.Mode)
        {
            case ContextWriteMode.Create:
                return Unchanged(ContextWriteStatus.AlreadyExists);
            case ContextWriteMode.Delete:
                return new ContextWriteResult(null, Outcome(ContextWriteStatus.Deleted, NoneLeft), [.. current.Attributes.Keys], ContextChangeKind.Deleted);
            case ContextWriteMode.Replace or ContextWriteMode.UpsertReplace:
                next = new Dictionary<string, ContextAttribute>(Stamped(write.Attributes, now), StringComparer.Ordinal);
                changed.AddRange(current.Attributes.Keys.Union(next.Keys));
                break;
            case ContextWriteMode.UpdateAttribute or ContextWriteMode.DeleteAttribute:
                var named = write.AttributeName!;
                if (!next.TryGetValue(named, out var existing))
                {
                    return Unchanged(ContextWriteStatus.NotFound);
                }
                var fragment = write.Attributes.GetValueOrDefault(named);
                var datasetId = write.Mode == ContextWriteMode.DeleteAttribute ? write.DatasetId : fragment?.DatasetId;
                var instances = existing.Instances.ToList();
                var target = instances.FindIndex(i => i.DatasetId == datasetId);
                if (target < 0 && !(write.Mode == ContextWriteMode.DeleteAttribute && write.AllInstances))
                {
                    return Unchanged(ContextWriteStatus.NotFound);
                }
                if (write.Mode == ContextWriteMode.DeleteAttribute)
                {
                    if (write.AllInstances) instances.Clear();
                    else instances.RemoveAt(target);
                }
                else if (fragment is not null)
                {
                    instances[target] = MergeInto(instances[target], fragment, now);
                }
                SetInstances(next, named, instances);
                changed.Add(named);
                break;
            default:
                foreach (var (name, given) in write.Attributes)
                {
                    var exists = next.TryGetValue(name, out var before);
                    if (given is null)
                    {
                        // Merge: "urn:ngsi-ld:null" removes the attribute.
                        if (next.Remove(name)) changed.Add(name);
                        continue;
                    }
                    if (!exists && write.Mode == ContextWriteMode.Update)
                    {
                        notUpdated[name] = "The entity has no such attribute; update changes only attributes it has.";
                        continue;
                    }
                    // Instance by instance: one of the same datasetId is overwritten (or merged), another one added.
                    var kept = exists ? before!.Instances.ToList() : [];
                    // Positions by datasetId ("" for the default instance: a datasetId is a URI, never empty).
                    var positions = kept.Select((i, at) => (i.DatasetId ?? "", at)).ToDictionary(p => p.Item1, p => p.at, StringComparer.Ordinal);
                    var wrote = false;
                    foreach (var instance in given.Instances)
                    {
                        var at = positions.GetValueOrDefault(instance.DatasetId ?? "", -1);
                        if (at >= 0 && write.Mode == ContextWriteMode.AppendNoOverwrite)
                        {
                            notUpdated[name] = "The attribute exists and noOverwrite was asked for.";
                            continue;
                        }
                        if (at < 0 && write.Mode == ContextWriteMode.Update)
                        {
                            notUpdated[name] = $"The attribute has no instance of datasetId '{instance.DatasetId ?? "(default)"}'; update changes only instances it has.";
                            continue;
                        }
                        if (at < 0)
                        {
                            positions[instance.DatasetId ?? ""] = kept.Count;
                            kept.Add(Stamp(instance, now, now));
                        }
                        else
                        {
                            kept[at] = write.Mode == ContextWriteMode.Merge ? MergeInto(kept[at], instance, now) : Stamp(instance, kept[at].CreatedAt, now);
                        }
                        wrote = true;
                    }
                    if (kept.Count > MaxInstances)
                    {
                        return Unchanged(ContextWriteStatus.TooManyInstances);
                    }
                    if (wrote)
                    {
                        SetInstances(next, name, kept);
                        changed.Add(name);
                    }
                }
                break;
        }
        if (changed.Count == 0)
        {
            return new ContextWriteResult(current, Outcome(ContextWriteStatus.Updated, notUpdated), [], null);
        }
        var updated = current with { Attributes = next, ModifiedAt = now, DistrictId = DistrictOf(next, write, current.DistrictId) };
        return new ContextWriteResult(updated, Outcome(ContextWriteStatus.Updated, notUpdated), [.. changed.Distinct()], ContextChangeKind.Updated);
    }

    /// <summary>
    /// The history readings a write carries: each attribute given with observedAt and a number becomes a value named by
    /// the attribute, one reading per observedAt. Times before 1970 are kept on the entity only.
    /// </summary>
    public static List<(string SensorId, Reading Reading)> Observations(string id, ContextEntityWrite write)
    {
        var byTime = new Dictionary<DateTimeOffset, Dictionary<string, double>>();
        if (write.Mode is ContextWriteMode.Delete or ContextWriteMode.DeleteAttribute)
        {
            return [];
        }
        foreach (var (name, attribute) in write.Attributes)
        {
            // The default instance only: history keeps one value per attribute name and time.
            if (attribute is { Kind: ContextAttributeKind.Property, DatasetId: null, ObservedAt: { } at } && at >= DateTimeOffset.UnixEpoch
                && NumberOf(attribute.ValueJson) is { } value)
            {
                (byTime.TryGetValue(at, out var values) ? values : byTime[at] = [])[name] = value;
            }
        }
        return [.. byTime.Select(t => (id, new Reading(t.Key, t.Value)))];
    }

    /// <summary>A finite number, or a Property value object {"@value": number}; null for anything else.</summary>
    public static double? NumberOf(string valueJson)
    {
        if (valueJson.Length == 0)
        {
            return null;
        }
        var node = JsonNode.Parse(valueJson);
        if (node is JsonObject wrapped && wrapped["@value"] is { } inner)
        {
            node = inner;
        }
        return node is JsonValue scalar && scalar.GetValueKind() == JsonValueKind.Number
            && double.TryParse(scalar.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? number
            : null;
    }

    private static ContextWriteResult Unchanged(ContextWriteStatus status) => new(null, Outcome(status, NoneLeft), [], null);

    private static ContextWriteOutcome Outcome(ContextWriteStatus status, IReadOnlyDictionary<string, string> notUpdated) => new(status, notUpdated);

    private static Dictionary<string, ContextAttribute> Stamped(IReadOnlyDictionary<string, ContextAttribute?> attributes, DateTimeOffset now) =>
        attributes.Where(a => a.Value is not null)
            .ToDictionary(a => a.Key, a => ContextAttribute.Of(a.Value!.Instances.Select(i => Stamp(i, now, now)))!, StringComparer.Ordinal);

    private static ContextAttribute Stamp(ContextAttribute attribute, DateTimeOffset created, DateTimeOffset now) =>
        attribute with { CreatedAt = created, ModifiedAt = now };

    /// <summary>The attribute made of these instances, or gone when none is left.</summary>
    private static void SetInstances(Dictionary<string, ContextAttribute> attributes, string name, List<ContextAttribute> instances)
    {
        if (ContextAttribute.Of(instances) is { } attribute)
        {
            attributes[name] = attribute;
        }
        else
        {
            attributes.Remove(name);
        }
    }

    /// <summary>
    /// A fragment merged into an attribute: members it gives replace those it had, the rest stay (an empty value is
    /// one the fragment did not give).
    /// </summary>
    public static ContextAttribute MergeInto(ContextAttribute existing, ContextAttribute fragment, DateTimeOffset now) => existing with
    {
        Kind = fragment.ValueJson.Length == 0 ? existing.Kind : fragment.Kind,
        ValueJson = fragment.ValueJson.Length == 0 ? existing.ValueJson : fragment.ValueJson,
        ObservedAt = fragment.ObservedAt ?? existing.ObservedAt,
        UnitCode = fragment.UnitCode ?? existing.UnitCode,
        MembersJson = MergeMembers(existing.MembersJson, fragment.MembersJson),
        ModifiedAt = now,
    };

    private static string? MergeMembers(string? existing, string? fragment)
    {
        if (fragment is null || existing is null)
        {
            return fragment ?? existing;
        }
        var merged = JsonNode.Parse(existing)!.AsObject();
        foreach (var (name, value) in JsonNode.Parse(fragment)!.AsObject())
        {
            merged[name] = value?.DeepClone();
        }
        return merged.ToJsonString();
    }

    /// <summary>
    /// The district follows the default instance of location as it stands after the write: the writer's district when
    /// the value it gave is the one kept, none without a default instance (one with a datasetId places nothing), else
    /// unchanged (a location left alone by noOverwrite or update keeps its district).
    /// </summary>
    private static string? DistrictOf(IReadOnlyDictionary<string, ContextAttribute> attributes, ContextEntityWrite write, string? current)
    {
        if (attributes.GetValueOrDefault(Location) is not { DatasetId: null } placed)
        {
            return null;
        }
        var given = write.Attributes.GetValueOrDefault(Location)?.Instances.FirstOrDefault(i => i.DatasetId is null);
        return write.LocationGiven && given?.ValueJson == placed.ValueJson ? write.DistrictId : current;
    }
}
