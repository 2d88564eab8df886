namespace IocTwin.History;

/// <summary>Average, minimum and maximum of one value over one time step.</summary>
public sealed record ValueStats(double Avg, double Min, double Max, long Count);

/// <summary>The values of one time step, each downsampled to <see cref="ValueStats"/>.</summary>
public sealed record HistoryBucket(DateTimeOffset Time, Dictionary<string, ValueStats> Values);
