namespace IocTwin.Model;

/// <summary>
/// The files of a network in TNTP format (the Transportation Networks test collection's), as text:
/// <c>_net.tntp</c> and <c>_trips.tntp</c>, and <c>_node.tntp</c> and <c>_flow.tntp</c> (best-known flows) when given.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TntpFiles(
    [property: Id(0)] string Net,
    [property: Id(1)] string Trips,
    [property: Id(2)] string? Node,
    [property: Id(3)] string? Flow);

/// <summary>A stored network: its size, total demand, whether best-known flows came with it, and who stored it when.</summary>
[GenerateSerializer, Immutable]
public sealed record TntpNetworkSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] int Nodes,
    [property: Id(3)] int Links,
    [property: Id(4)] int Zones,
    [property: Id(5)] double TotalDemand,
    [property: Id(6)] bool HasBestKnownFlows,
    [property: Id(7)] long SizeBytes,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] string CreatedBy);
