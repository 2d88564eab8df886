using IocTwin.Simulation.Tntp;

namespace IocTwin.Tests.Simulation;

public sealed class TntpReaderTests
{
    private const string Network = """
        <NUMBER OF ZONES> 2
        <NUMBER OF NODES> 4
        <FIRST THRU NODE> 3
        <NUMBER OF LINKS> 3
        <ORIGINAL HEADER>~ init term cap ;
        <END OF METADATA>

        ~ init_node	term_node	capacity	length	free_flow_time	b	power	speed	toll	link_type	;
        	1	3	1000	2.5	6	0.15	4	50	0	1	;
        	3	4	500.5	1	2	1	1	0	0	2	; ~ a comment after the row
        	4	2	1e3	4	3	0	4	0	1.5	1	;
        """;

    private static TntpNetwork Net(string text) => TntpReader.ReadNetwork(new StringReader(text), "test_net.tntp");

    private static TntpTrips Trips(string text) => TntpReader.ReadTrips(new StringReader(text), "test_trips.tntp");

    private static TntpFormatException NetError(string text) => Assert.Throws<TntpFormatException>(() => Net(text));

    private static TntpFormatException TripsError(string text) => Assert.Throws<TntpFormatException>(() => Trips(text));

    [Fact]
    public void A_network_file_gives_its_metadata_and_every_link_with_its_BPR_parameters()
    {
        var net = Net(Network);

        Assert.Equal((2, 4, 3), (net.ZoneCount, net.NodeCount, net.FirstThroughNode));
        Assert.Equal(3, net.Links.Count);
        Assert.Equal(new TntpLink(1, 3, 1000, 2.5, 6, 0.15, 4, 50, 0, 1), net.Links[0]);
        Assert.Equal(new TntpLink(3, 4, 500.5, 1, 2, 1, 1, 0, 0, 2), net.Links[1]);
        Assert.Equal(new TntpLink(4, 2, 1000, 4, 3, 0, 4, 0, 1.5, 1), net.Links[2]);
    }

    [Fact]
    public void A_trip_table_gives_the_demand_of_every_origin_block_with_zero_entries_left_out()
    {
        var trips = Trips("""
            <NUMBER OF ZONES> 3
            <TOTAL OD FLOW> 60.5
            <END OF METADATA>

            ~ a comment
            Origin 	1
                1 :      0.0;     2 :    10.0;     3 :    20.5;
            Origin 	3
                1 :    30;
            """);

        Assert.Equal(3, trips.ZoneCount);
        Assert.Equal(60.5, trips.DeclaredTotal);
        Assert.Equal([new TntpDemand(1, 2, 10), new TntpDemand(1, 3, 20.5), new TntpDemand(3, 1, 30)], trips.Demands);
        Assert.Equal(60.5, trips.Total);
    }

    [Fact]
    public void Node_and_flow_files_skip_their_header_row()
    {
        var nodes = TntpReader.ReadNodes(new StringReader("Node\tX\tY\t;\n1\t-96.5\t43.6\t;\n2\t10\t20\t;\n"), "test_node.tntp");
        var flows = TntpReader.ReadFlows(new StringReader("From \tTo \tVolume \tCost \n1 \t2 \t4494.65 \t6.0008 \n"), "test_flow.tntp");

        Assert.Equal([new TntpNode(1, -96.5, 43.6), new TntpNode(2, 10, 20)], nodes);
        Assert.Equal([new TntpLinkFlow(1, 2, 4494.65, 6.0008)], flows);
    }

    [Fact]
    public void A_link_row_without_its_terminating_semicolon_is_refused_with_its_line()
    {
        var error = NetError(Network.Replace("0\t1\t;\n\t3", "0\t1\n\t3", StringComparison.Ordinal));

        Assert.Equal(("test_net.tntp", 9, "row"), (error.File, error.Line, error.Field));
        Assert.Contains("test_net.tntp line 9, row", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_that_is_not_a_number_is_refused_naming_the_field()
    {
        var error = NetError(Network.Replace("500.5", "5OO", StringComparison.Ordinal));

        Assert.Equal((10, "capacity"), (error.Line, error.Field));
        Assert.Contains("'5OO' is not a finite number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_to_a_node_beyond_the_declared_count_is_refused()
    {
        var error = NetError(Network.Replace("\t4\t2\t1e3", "\t4\t9\t1e3", StringComparison.Ordinal));

        Assert.Equal((11, "term node"), (error.Line, error.Field));
        Assert.Contains("9 is outside 1..4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_parameters_short_rows_and_zero_capacity_on_a_congestible_link_are_refused()
    {
        Assert.Equal("free flow time", NetError(Network.Replace("2.5\t6", "2.5\t-6", StringComparison.Ordinal)).Field);
        Assert.Equal("link type", NetError(Network.Replace("0\t0\t2\t;", "0\t0\t;", StringComparison.Ordinal)).Field);
        Assert.Equal("capacity", NetError(Network.Replace("\t1000\t2.5", "\t0\t2.5", StringComparison.Ordinal)).Field);
    }

    [Fact]
    public void A_link_count_that_differs_from_the_metadata_or_missing_metadata_is_refused()
    {
        var count = NetError(Network.Replace("<NUMBER OF LINKS> 3", "<NUMBER OF LINKS> 4", StringComparison.Ordinal));
        var missing = NetError(Network.Replace("<FIRST THRU NODE> 3\n", "", StringComparison.Ordinal));
        var noEnd = NetError(Network.Replace("<END OF METADATA>", "", StringComparison.Ordinal));

        Assert.Equal((4, "<NUMBER OF LINKS>"), (count.Line, count.Field));
        Assert.Contains("declares 4 links but the file has 3", count.Message, StringComparison.Ordinal);
        Assert.Equal("<FIRST THRU NODE>", missing.Field);
        Assert.Contains("missing from the metadata", missing.Message, StringComparison.Ordinal);
        Assert.Equal("metadata", noEnd.Field);
    }

    [Fact]
    public void Malformed_trip_tables_are_refused_naming_line_and_field()
    {
        const string head = "<NUMBER OF ZONES> 3\n<END OF METADATA>\n";

        var before = TripsError(head + "1 : 5;\n");
        var shape = TripsError(head + "Origin 1\n 2 : 5; 3 7;\n");
        var twice = TripsError(head + "Origin 1\n 2 : 5; 2 : 7;\n");
        var negative = TripsError(head + "Origin 1\n 2 : -5;\n");
        var zone = TripsError(head + "Origin 4\n 2 : 5;\n");
        var block = TripsError(head + "Origin 1\n 2 : 5;\nOrigin 1\n 3 : 5;\n");

        Assert.Equal((3, "origin"), (before.Line, before.Field));
        Assert.Equal((4, "destination"), (shape.Line, shape.Field));
        Assert.Contains("zone 2 appears twice for origin 1", twice.Message, StringComparison.Ordinal);
        Assert.Equal((4, "demand"), (negative.Line, negative.Field));
        Assert.Equal((3, "origin"), (zone.Line, zone.Field));
        Assert.Equal((5, "origin"), (block.Line, block.Field));
        Assert.StartsWith("test_trips.tntp line ", negative.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_node_and_flow_rows_are_refused()
    {
        var node = Assert.Throws<TntpFormatException>(() => TntpReader.ReadNodes(new StringReader("Node X Y ;\n1 2 ;\n"), "n_node.tntp"));
        var flow = Assert.Throws<TntpFormatException>(() => TntpReader.ReadFlows(new StringReader("From To Volume Cost\n1 2 x 3\n"), "f_flow.tntp"));

        Assert.Equal(("n_node.tntp", 2, "Y"), (node.File, node.Line, node.Field));
        Assert.Equal(("f_flow.tntp", 2, "Volume"), (flow.File, flow.Line, flow.Field));
    }
}
