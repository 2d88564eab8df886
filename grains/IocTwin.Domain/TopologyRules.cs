using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>What makes a topology entity valid, whichever way it arrives (REST, GeoJSON import, generator).</summary>
public static class TopologyRules
{
    public const int MaxIdLength = 128;
    public const int MaxNameLength = 200;

    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

    public const string IdRule = "must be 1 to 128 characters of letters, digits, '.', '_', ':' or '-'";

    /// <summary>An area's kind as the city's data names it: district, ward, commune, special-zone ...</summary>
    public static bool IsValidKind(string? kind) =>
        kind is { Length: > 0 and <= 64 } && kind.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    public const string KindRule = "must be 1 to 64 characters of lowercase letters, digits or '-' (district, ward, commune ...)";

    public static IEnumerable<(string Field, string Message)> Validate(DistrictSpec spec)
    {
        if (!IsValidId(spec.Id)) yield return ("id", IdRule);
        if (string.IsNullOrWhiteSpace(spec.Name) || spec.Name.Length > MaxNameLength) yield return ("name", "is required, at most 200 characters");
        if (spec.Boundary is null || spec.Boundary.Count < 3) yield return ("boundary", "needs at least 3 positions");
        else if (spec.Parts.Any(part => part is null || part.Count < 3 || part.Any(p => !p.IsValid))) yield return ("boundary", "has a position out of range");
        if (!IsValidKind(spec.Kind)) yield return ("kind", KindRule);
        if (spec.ParentId is not null && !IsValidId(spec.ParentId)) yield return ("parentId", IdRule);
        if (spec.ParentId is not null && spec.ParentId == spec.Id) yield return ("parentId", "must name another area");
    }

    public static IEnumerable<(string Field, string Message)> Validate(SegmentSpec spec)
    {
        if (!IsValidId(spec.Id)) yield return ("id", IdRule);
        if (string.IsNullOrWhiteSpace(spec.Name) || spec.Name.Length > MaxNameLength) yield return ("name", "is required, at most 200 characters");
        if (!IsValidId(spec.DistrictId)) yield return ("districtId", IdRule);
        if (!IsValidId(spec.FromNode)) yield return ("fromNode", IdRule);
        if (!IsValidId(spec.ToNode)) yield return ("toNode", IdRule);
        if (spec.FromNode == spec.ToNode) yield return ("toNode", "must differ from fromNode");
        if (spec.Geometry is null || spec.Geometry.Count < 2) yield return ("geometry", "needs at least 2 positions");
        else if (spec.Geometry.Any(p => !p.IsValid)) yield return ("geometry", "has a position out of range");
        if (!(spec.LengthM > 0 && spec.LengthM < 100_000)) yield return ("lengthM", "must be more than 0 and under 100 km");
        if (spec.Lanes is < 1 or > 12) yield return ("lanes", "must be 1 to 12");
        if (!(spec.CapacityVph > 0 && spec.CapacityVph <= 30_000)) yield return ("capacityVph", "must be more than 0 and at most 30,000");
        if (!(spec.FreeFlowSpeedKmh >= 5 && spec.FreeFlowSpeedKmh <= 150)) yield return ("freeFlowSpeedKmh", "must be 5 to 150");
        if (!Enum.IsDefined(spec.Status)) yield return ("status", "is not a known status");
    }

    public static IEnumerable<(string Field, string Message)> Validate(SensorSpec spec)
    {
        if (!IsValidId(spec.Id)) yield return ("id", IdRule);
        if (spec.Name is { Length: > MaxNameLength }) yield return ("name", "must be at most 200 characters");
        if (!SectorCatalog.Current.Defines(spec.Kind)) yield return ("kind", $"is not a sensor kind the city defines ({SectorCatalog.Current.ExpectedKinds})");
        if (!SectorCatalog.Current.Defines(spec.Sector)) yield return ("sector", $"is not a sector the city defines ({SectorCatalog.Current.ExpectedSectors})");
        if (!spec.Location.IsValid) yield return ("location", "must be [lon, lat] within range");
        if (!IsValidId(spec.DistrictId)) yield return ("districtId", IdRule);
        if (spec.SegmentId is not null && !IsValidId(spec.SegmentId)) yield return ("segmentId", IdRule);
    }
}
