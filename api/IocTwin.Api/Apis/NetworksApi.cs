using System.Globalization;
using IocTwin.Api.Access;
using IocTwin.Api.Audit;
using IocTwin.Api.Json;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Simulation.Equilibrium;
using IocTwin.Simulation.Tntp;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

/// <summary>
/// A network to store, its TNTP files as text: <c>net</c> (<c>_net.tntp</c>) and <c>trips</c> (<c>_trips.tntp</c>)
/// required, <c>node</c> (<c>_node.tntp</c>) and <c>flow</c> (<c>_flow.tntp</c>, the best-known flows) optional.
/// </summary>
public sealed record NetworkRequest(string? Name, string? Net, string? Trips, string? Node, string? Flow);

/// <summary>An assignment of a stored network, with the comparison with its best-known flows when it has them.</summary>
public sealed record NetworkAssignmentResponse(
    string NetworkId, string Algorithm, double RequestedGap, double RelativeGap, int Iterations, bool Converged, double TotalSystemTravelTime,
    double Seconds, IReadOnlyList<AssignedLink> Links, BestKnownComparison? Comparison);

/// <summary>
/// Published networks in TNTP format, stored so that they survive restarts, and their static assignment by the engine
/// scenario runs use (Algorithm B, or Frank–Wolfe to compare). The IOC stores, assigns and deletes; every role reads.
/// </summary>
public static class NetworksApi
{
    public const int MaxNetworks = 20;
    public const int MaxTextLength = 16 * 1024 * 1024;
    public const int MaxLinks = 100_000;
    public const int MaxZones = 5_000;

    // Algorithm B keeps a bush per origin zone over every link (a flag and a flow each), so memory grows with their
    // product: 20 million is some 180 MB for one run.
    public const long MaxZoneLinks = 20_000_000;

    private static readonly (string Field, string File)[] Files =
        [("net", "_net.tntp"), ("trips", "_trips.tntp"), ("node", "_node.tntp"), ("flow", "_flow.tntp")];

    public static IEndpointRouteBuilder MapNetworksApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/networks").WithTags("Networks");
        read.MapGet("/", async (IGrainFactory grains) => TypedResults.Ok(await grains.GetGrain<ITntpNetworkIndexGrain>(0).List()))
            .WithSummary("The stored networks: size, total demand, whether best-known flows came with them.");
        read.MapGet("/{id}", GetNetwork).WithSummary("One stored network's summary.");
        var write = app.MapGroup("/networks").WithTags("Networks").RequireAuthorization(AccessExtensions.OperatePolicy);
        write.MapPost("/", CreateNetwork).Accepts<NetworkRequest>("application/json")
            .WithSummary("Store a network from the texts of its TNTP files (net and trips; node and flow optional).");
        write.MapPost("/{id}/assign", Assign)
            .WithSummary("Assign the network to ?gap= (default 1e-4) with ?algorithm=b (default) or frank-wolfe; compare with its best-known flows.");
        write.MapDelete("/{id}", DeleteNetwork);
        return app;
    }

    public static async Task<Results<Ok<TntpNetworkSummary>, ProblemHttpResult>> GetNetwork(string id, IGrainFactory grains) =>
        await grains.GetGrain<ITntpNetworkIndexGrain>(0).Find(id) is { } summary ? TypedResults.Ok(summary) : Problems.NotFound("network", id);

    public static async Task<Results<Created<TntpNetworkSummary>, ValidationProblem, ProblemHttpResult>> CreateNetwork(
        NetworkRequest? body, HttpContext http, IGrainFactory grains, TimeProvider time, IAuditLog audit)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var errors = new Dictionary<string, List<string>>();
        var name = body.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200) errors.AddError("name", "is required, at most 200 characters");
        if (string.IsNullOrWhiteSpace(body.Net)) errors.AddError("net", "is required: the text of the _net.tntp file");
        if (string.IsNullOrWhiteSpace(body.Trips)) errors.AddError("trips", "is required: the text of the _trips.tntp file");
        var size = (long)(body.Net?.Length ?? 0) + (body.Trips?.Length ?? 0) + (body.Node?.Length ?? 0) + (body.Flow?.Length ?? 0);
        if (size > MaxTextLength) errors.AddError("body", $"the files come to {size:N0} characters; at most {MaxTextLength:N0} together");
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        var files = new TntpFiles(body.Net!, body.Trips!, NullIfBlank(body.Node), NullIfBlank(body.Flow));
        var (data, problem) = Read(files);
        if (problem is not null)
        {
            return problem;
        }
        var id = "net-" + Guid.NewGuid().ToString("N")[..12];
        var access = http.Access();
        var summary = new TntpNetworkSummary(id, name, data!.Network.NodeCount, data.Network.Links.Count, data.Network.ZoneCount, data.Trips.Total,
            data.BestKnownFlows is not null, size, time.GetUtcNow(), access.Subject);
        // The files first: an index entry never names a network that is not stored.
        var grain = grains.GetGrain<ITntpNetworkGrain>(id);
        await grain.Store(summary, files);
        if (!await grains.GetGrain<ITntpNetworkIndexGrain>(0).Add(summary, MaxNetworks))
        {
            await grain.Delete();
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many networks",
                detail: $"The twin holds {MaxNetworks} networks, as many as it keeps; delete one first.");
        }
        await audit.RecordAsync(http.User, AuditActions.NetworkCreate, id, name);
        return TypedResults.Created($"{Extensions.ApiGroupExtensions.V1}/networks/{id}", summary);
    }

    public static async Task<Results<Ok<NetworkAssignmentResponse>, ValidationProblem, ProblemHttpResult>> Assign(
        string id, string? gap, string? algorithm, IGrainFactory grains, NetworkAssignments assignments)
    {
        var errors = new Dictionary<string, List<string>>();
        var requested = 1e-4;
        if (gap is not null && !(double.TryParse(gap, NumberStyles.Float, CultureInfo.InvariantCulture, out requested) && requested is > 0 and < 1))
        {
            errors.AddError("gap", "must be a number more than 0 and less than 1 (a relative gap such as 1e-4)");
        }
        var chosen = algorithm switch
        {
            null or "b" => AssignmentAlgorithm.AlgorithmB,
            "frank-wolfe" => AssignmentAlgorithm.FrankWolfe,
            _ => (AssignmentAlgorithm?)null,
        };
        if (chosen is null) errors.AddError("algorithm", "must be b or frank-wolfe");
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        if (await grains.GetGrain<ITntpNetworkIndexGrain>(0).Find(id) is null)
        {
            return Problems.NotFound("network", id);
        }
        var files = await grains.GetGrain<ITntpNetworkGrain>(id).Files();
        var (data, problem) = files is null ? (null, null) : Read(files);
        if (data is null)
        {
            // Stored files are read when stored; one that no longer reads is a fault of the store, not of the caller.
            return TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Stored network unreadable",
                detail: problem?.ProblemDetails.Errors.First().Value[0] ?? $"The files of network '{id}' are missing.");
        }
        TntpAssignmentResult? result;
        try
        {
            result = await assignments.TryRunAsync(data, chosen!.Value, requested);
        }
        catch (InvalidOperationException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Network cannot be assigned", detail: ex.Message);
        }
        if (result is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Assignments busy",
                detail: $"The twin runs {NetworkAssignments.MaxConcurrent} network assignment(s) at once; try again when it ends.");
        }
        return TypedResults.Ok(new NetworkAssignmentResponse(id, result.Algorithm == AssignmentAlgorithm.FrankWolfe ? "frank-wolfe" : "b",
            result.RequestedGap, result.RelativeGap, result.Iterations, result.Converged, result.TotalSystemTravelTime, result.Seconds,
            result.Links, result.Comparison));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteNetwork(string id, HttpContext http, IGrainFactory grains, IAuditLog audit)
    {
        var index = grains.GetGrain<ITntpNetworkIndexGrain>(0);
        if (await index.Find(id) is null)
        {
            return Problems.NotFound("network", id);
        }
        // The index first: a network it no longer names is never read, whatever happens to its files.
        await index.Remove(id);
        await grains.GetGrain<ITntpNetworkGrain>(id).Delete();
        await audit.RecordAsync(http.User, AuditActions.NetworkDelete, id);
        return TypedResults.NoContent();
    }

    /// <summary>Reads and checks the files; a problem names the field of the file at fault, with its line and field.</summary>
    private static (TntpDataSet? Data, ValidationProblem? Problem) Read(TntpFiles files)
    {
        TntpNetwork network;
        TntpTrips trips;
        IReadOnlyList<TntpNode>? nodes;
        IReadOnlyList<TntpLinkFlow>? flows;
        try
        {
            network = ReadText(files.Net, Files[0].File, TntpReader.ReadNetwork);
            trips = ReadText(files.Trips, Files[1].File, TntpReader.ReadTrips);
            nodes = files.Node is null ? null : ReadText(files.Node, Files[2].File, TntpReader.ReadNodes);
            flows = files.Flow is null ? null : ReadText(files.Flow, Files[3].File, TntpReader.ReadFlows);
        }
        catch (TntpFormatException ex)
        {
            var field = Files.FirstOrDefault(f => f.File == ex.File).Field ?? "body";
            return (null, Problems.Field(field, ex.Message));
        }
        if (network.Links.Count > MaxLinks)
        {
            return (null, Problems.Field("net", $"has {network.Links.Count:N0} links; at most {MaxLinks:N0}"));
        }
        if (network.ZoneCount > MaxZones)
        {
            return (null, Problems.Field("net", $"has {network.ZoneCount:N0} zones; at most {MaxZones:N0}"));
        }
        if ((long)network.ZoneCount * network.Links.Count > MaxZoneLinks)
        {
            return (null, Problems.Field("net",
                $"has {network.ZoneCount:N0} zones over {network.Links.Count:N0} links; zones × links may be at most {MaxZoneLinks:N0}"));
        }
        if (trips.ZoneCount != network.ZoneCount)
        {
            return (null, Problems.Field("trips", $"has {trips.ZoneCount} zones; the network has {network.ZoneCount}"));
        }
        if (flows is not null)
        {
            var given = flows.Select(f => (f.From, f.To)).ToHashSet();
            if (network.Links.FirstOrDefault(l => !given.Contains((l.From, l.To))) is { } missing)
            {
                return (null, Problems.Field("flow", $"has no flow for link {missing.From}→{missing.To} of the network"));
            }
        }
        try
        {
            _ = EquilibriumNetwork.FromTntp(network, trips);
        }
        catch (ArgumentException ex)
        {
            return (null, Problems.Field("trips", ex.Message.Split(" (Parameter")[0]));
        }
        return (new TntpDataSet(network, trips, nodes, flows), null);
    }

    private static T ReadText<T>(string text, string file, Func<TextReader, string, T> read)
    {
        using var reader = new StringReader(text);
        return read(reader, file);
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
