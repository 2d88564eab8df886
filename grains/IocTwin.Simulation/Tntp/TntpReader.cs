using System.Globalization;

namespace IocTwin.Simulation.Tntp;

/// <summary>
/// Reads the files of the Transportation Networks test collection (TNTP format): <c>_net.tntp</c>, <c>_trips.tntp</c>,
/// <c>_node.tntp</c> and <c>_flow.tntp</c>. Malformed input raises <see cref="TntpFormatException"/> naming file, line
/// and field.
/// </summary>
public static class TntpReader
{
    private static readonly string[] LinkFields =
        ["init node", "term node", "capacity", "length", "free flow time", "b", "power", "speed", "toll", "link type"];

    public static TntpNetwork ReadNetwork(TextReader reader, string file)
    {
        var text = TntpText.Read(reader, file, metadataRequired: true);
        var zones = text.MetadataInt("NUMBER OF ZONES", 0);
        var nodes = text.MetadataInt("NUMBER OF NODES", 1);
        var firstThrough = text.MetadataInt("FIRST THRU NODE", 1);
        var declaredLinks = text.MetadataInt("NUMBER OF LINKS", 0);
        if (zones > nodes)
        {
            throw new TntpFormatException(file, text.Metadata["NUMBER OF ZONES"].Line, "<NUMBER OF ZONES>", $"{zones} zones but {nodes} nodes");
        }
        var links = new List<TntpLink>(declaredLinks);
        foreach (var (line, row) in text.Data)
        {
            var f = text.Fields(line, row, terminated: true);
            if (f.Length < LinkFields.Length)
            {
                throw new TntpFormatException(file, line, LinkFields[f.Length], $"missing: a link row has {LinkFields.Length} fields, this one {f.Length}");
            }
            var from = text.ParseInt(f[0], line, LinkFields[0], 1, nodes);
            var to = text.ParseInt(f[1], line, LinkFields[1], 1, nodes);
            if (from == to)
            {
                throw new TntpFormatException(file, line, LinkFields[1], $"the link leaves and enters node {from}");
            }
            var capacity = text.ParseDouble(f[2], line, LinkFields[2], 0);
            var length = text.ParseDouble(f[3], line, LinkFields[3], 0);
            var freeFlow = text.ParseDouble(f[4], line, LinkFields[4], 0);
            var b = text.ParseDouble(f[5], line, LinkFields[5], 0);
            var power = text.ParseDouble(f[6], line, LinkFields[6], 0);
            var speed = text.ParseDouble(f[7], line, LinkFields[7], 0);
            var toll = text.ParseDouble(f[8], line, LinkFields[8], 0);
            var type = text.ParseInt(f[9], line, LinkFields[9], int.MinValue, int.MaxValue);
            if (capacity == 0 && b * freeFlow != 0)
            {
                throw new TntpFormatException(file, line, LinkFields[2], "zero capacity on a link whose travel time depends on its volume");
            }
            links.Add(new TntpLink(from, to, capacity, length, freeFlow, b, power, speed, toll, type));
        }
        if (links.Count != declaredLinks)
        {
            throw new TntpFormatException(file, text.Metadata["NUMBER OF LINKS"].Line, "<NUMBER OF LINKS>",
                $"declares {declaredLinks} links but the file has {links.Count}");
        }
        return new TntpNetwork(zones, nodes, firstThrough, links,
            text.MetadataDouble("TOLL FACTOR", 0), text.MetadataDouble("DISTANCE FACTOR", 0));
    }

    public static TntpTrips ReadTrips(TextReader reader, string file)
    {
        var text = TntpText.Read(reader, file, metadataRequired: true);
        var zones = text.MetadataInt("NUMBER OF ZONES", 1);
        double? declaredTotal = text.Metadata.ContainsKey("TOTAL OD FLOW") ? text.MetadataDouble("TOTAL OD FLOW", 0) : null;
        var demands = new List<TntpDemand>();
        var seen = new HashSet<int>();
        var seenOrigins = new HashSet<int>();
        var origin = 0;
        foreach (var (line, row) in text.Data)
        {
            if (row.StartsWith("Origin", StringComparison.OrdinalIgnoreCase))
            {
                var f = row.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 2)
                {
                    throw new TntpFormatException(file, line, "origin", "'Origin' without a zone number");
                }
                origin = text.ParseInt(f[1], line, "origin", 1, zones);
                if (!seenOrigins.Add(origin))
                {
                    throw new TntpFormatException(file, line, "origin", $"zone {origin} has a second Origin block");
                }
                seen.Clear();
                continue;
            }
            if (origin == 0)
            {
                throw new TntpFormatException(file, line, "origin", "demand before the first 'Origin' line");
            }
            foreach (var entry in row.Split(';'))
            {
                if (string.IsNullOrWhiteSpace(entry))
                {
                    continue;
                }
                var colon = entry.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    throw new TntpFormatException(file, line, "destination", $"'{entry.Trim()}' is not 'destination : demand'");
                }
                var destination = text.ParseInt(entry[..colon].Trim(), line, "destination", 1, zones);
                var volume = text.ParseDouble(entry[(colon + 1)..].Trim(), line, "demand", 0);
                if (!seen.Add(destination))
                {
                    throw new TntpFormatException(file, line, "destination", $"zone {destination} appears twice for origin {origin}");
                }
                if (volume > 0)
                {
                    demands.Add(new TntpDemand(origin, destination, volume));
                }
            }
        }
        return new TntpTrips(zones, declaredTotal, demands);
    }

    public static IReadOnlyList<TntpNode> ReadNodes(TextReader reader, string file)
    {
        var text = TntpText.Read(reader, file, metadataRequired: false);
        var nodes = new List<TntpNode>();
        foreach (var (line, f) in Rows(text))
        {
            if (f.Length < 3)
            {
                throw new TntpFormatException(file, line, f.Length < 2 ? "X" : "Y", "missing: a node row has Node, X and Y");
            }
            nodes.Add(new TntpNode(text.ParseInt(f[0], line, "node", 1, int.MaxValue),
                text.ParseDouble(f[1], line, "X", double.MinValue), text.ParseDouble(f[2], line, "Y", double.MinValue)));
        }
        return nodes;
    }

    public static IReadOnlyList<TntpLinkFlow> ReadFlows(TextReader reader, string file)
    {
        var text = TntpText.Read(reader, file, metadataRequired: false);
        var flows = new List<TntpLinkFlow>();
        string[] names = ["From", "To", "Volume", "Cost"];
        foreach (var (line, f) in Rows(text))
        {
            if (f.Length < names.Length)
            {
                throw new TntpFormatException(file, line, names[f.Length], "missing: a flow row has From, To, Volume and Cost");
            }
            flows.Add(new TntpLinkFlow(text.ParseInt(f[0], line, names[0], 1, int.MaxValue), text.ParseInt(f[1], line, names[1], 1, int.MaxValue),
                text.ParseDouble(f[2], line, names[2], 0), text.ParseDouble(f[3], line, names[3], 0)));
        }
        return flows;
    }

    /// <summary>Rows of a node or flow file: an optional header row (its first field not a number) is skipped.</summary>
    private static IEnumerable<(int Line, string[] Fields)> Rows(TntpText text)
    {
        var first = true;
        foreach (var (line, row) in text.Data)
        {
            var fields = text.Fields(line, row, terminated: false);
            if (fields.Length == 0)
            {
                continue;
            }
            if (first && !double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                first = false;
                continue;
            }
            first = false;
            yield return (line, fields);
        }
    }

    /// <summary>
    /// The files of one network in <paramref name="directory"/>: <c>*_net.tntp</c> and <c>*_trips.tntp</c> (required),
    /// <c>*_node.tntp</c> and <c>*_flow.tntp</c> (when present).
    /// </summary>
    public static TntpDataSet ReadDirectory(string directory)
    {
        string? Find(string suffix, bool required)
        {
            var matches = Directory.GetFiles(directory, "*" + suffix);
            Array.Sort(matches, StringComparer.Ordinal);
            return matches.Length switch
            {
                1 => matches[0],
                0 when !required => null,
                0 => throw new FileNotFoundException($"No *{suffix} file in {directory}"),
                _ => throw new InvalidOperationException($"Several *{suffix} files in {directory}: {string.Join(", ", matches.Select(Path.GetFileName))}"),
            };
        }

        T Read<T>(string path, Func<TextReader, string, T> read)
        {
            using var reader = new StreamReader(path);
            return read(reader, Path.GetFileName(path));
        }

        var net = Read(Find("_net.tntp", true)!, ReadNetwork);
        var trips = Read(Find("_trips.tntp", true)!, ReadTrips);
        var nodes = Find("_node.tntp", false) is { } nodePath ? Read(nodePath, ReadNodes) : null;
        var flows = Find("_flow.tntp", false) is { } flowPath ? Read(flowPath, ReadFlows) : null;
        return new TntpDataSet(net, trips, nodes, flows);
    }
}

/// <summary>The files of one network: network and trips, and node coordinates and best-known flows when published.</summary>
public sealed record TntpDataSet(TntpNetwork Network, TntpTrips Trips, IReadOnlyList<TntpNode>? Nodes, IReadOnlyList<TntpLinkFlow>? BestKnownFlows);
