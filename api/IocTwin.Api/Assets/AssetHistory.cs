using IocTwin.History;
using IocTwin.Model;

namespace IocTwin.Api.Assets;

/// <summary>One point of an asset's track.</summary>
public sealed record TrackPoint(DateTimeOffset Time, GeoPoint Location, double? HeadingDeg, double? SpeedKmh);

/// <summary>
/// Asset positions as the history store keeps them: the readings of "asset:{id}" with values lat, lon, headingDeg and
/// speedKmh. The ids cannot clash with a sensor's, which never holds ':'.
/// </summary>
public static class AssetHistory
{
    public const string Prefix = "asset:";

    public static string HistoryId(string assetId) => Prefix + assetId;

    public static Reading ReadingOf(AssetPosition position)
    {
        KeyValuePair<string, double> lat = new("lat", position.Location.Lat), lon = new("lon", position.Location.Lon);
        ReadingValues values = (position.HeadingDeg, position.SpeedKmh) switch
        {
            ({ } heading, { } speed) => [lat, lon, new("headingDeg", heading), new("speedKmh", speed)],
            ({ } heading, null) => [lat, lon, new("headingDeg", heading)],
            (null, { } speed) => [lat, lon, new("speedKmh", speed)],
            _ => [lat, lon],
        };
        return new Reading(position.Timestamp, values);
    }

    public static TrackPoint? PointOf(DateTimeOffset time, IReadOnlyDictionary<string, double> values) =>
        values.TryGetValue("lat", out var lat) && values.TryGetValue("lon", out var lon)
            ? new TrackPoint(time, new GeoPoint(lon, lat), values.TryGetValue("headingDeg", out var h) ? h : null,
                values.TryGetValue("speedKmh", out var s) ? s : null)
            : null;

    /// <summary>A bucket of the track: its mean position (a bucket holds one report when the step is under the reporting interval).</summary>
    public static TrackPoint? PointOf(HistoryBucket bucket) =>
        PointOf(bucket.Time, bucket.Values.ToDictionary(v => v.Key, v => v.Value.Avg));

    /// <summary>
    /// The places whose areas decide who may see a bucket's point: the report itself when the bucket holds one; when it
    /// holds several, their mean and the four corners of the box they span, so that a bucket whose reports lie on both
    /// sides of an area's edge is not shown (as a mean inside the area) to those who may see only one side.
    /// </summary>
    public static GeoPoint[] PlacesOf(HistoryBucket bucket, TrackPoint point) =>
        bucket.Values.TryGetValue("lat", out var lat) && bucket.Values.TryGetValue("lon", out var lon) && lat.Count > 1
            ? [point.Location, new GeoPoint(lon.Min, lat.Min), new GeoPoint(lon.Min, lat.Max), new GeoPoint(lon.Max, lat.Min), new GeoPoint(lon.Max, lat.Max)]
            : [point.Location];
}
