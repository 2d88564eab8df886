using IocTwin.Api.Apis;
using IocTwin.Model;

namespace IocTwin.Tests.Api;

/// <summary>The API process's index of which area holds each segment and sensor, kept current from areas read again only when changed.</summary>
public sealed class AreaMemberIndexTests
{
    private static MembersRead Read(Guid activation, long changes, string[] segments, string[] sensors) =>
        new(new MembersVersion(activation, changes), new DistrictMembers([.. segments.Order(StringComparer.Ordinal)], [.. sensors.Order(StringComparer.Ordinal)]));

    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid();

    [Fact]
    public async Task Areas_read_again_replace_their_members_and_unchanged_areas_keep_theirs()
    {
        var index = new AreaMemberIndex();
        await index.UpdateAsync(["a", "b"], [Read(A, 1, ["seg-1"], ["s-1", "s-2"]), Read(B, 1, ["seg-2"], ["s-3"])]);

        Assert.Equal("a", index.AreaOf("s-1"));
        Assert.Equal("b", index.AreaOf("seg-2"));
        Assert.True(index.Segments.Contains("seg-1"));
        Assert.False(index.Sensors.Contains("seg-1"));
        Assert.Equal(new MembersVersion(A, 1), index.VersionOf("a"));

        // Area a lost s-2 and gained s-4; b answered "unchanged".
        await index.UpdateAsync(["a", "b"], [Read(A, 2, ["seg-1"], ["s-1", "s-4"]), new MembersRead(new MembersVersion(B, 1), null)]);

        Assert.False(index.HoldsSensor("s-2"));
        Assert.Equal("a", index.AreaOf("s-4"));
        Assert.Equal("b", index.AreaOf("s-3"));
        Assert.Equal(3, index.Sensors.Count);
        Assert.Equal(new MembersVersion(A, 2), index.VersionOf("a"));
    }

    [Fact]
    public async Task A_sensor_read_in_its_new_area_before_its_old_one_let_it_go_stays_held_by_the_new_one()
    {
        var index = new AreaMemberIndex();
        await index.UpdateAsync(["a", "b"], [Read(A, 1, [], ["s-1"]), Read(B, 1, [], [])]);
        // Read while the move was under way: b has taken s-1 in, a still lists it.
        await index.UpdateAsync(["a", "b"], [new MembersRead(new MembersVersion(A, 1), null), Read(B, 2, [], ["s-1"])]);
        Assert.True(index.HoldsSensor("s-1"));

        // a lets it go: still held, by b.
        await index.UpdateAsync(["a", "b"], [Read(A, 2, [], []), new MembersRead(new MembersVersion(B, 2), null)]);

        Assert.Equal("b", index.AreaOf("s-1"));
        Assert.Single(index.Sensors);

        // The other way round: s-2 moves from b to a, and b is read again (for another change) after a took it in.
        await index.UpdateAsync(["a", "b"], [Read(A, 3, [], ["s-2"]), Read(B, 3, [], ["s-1", "s-2", "s-3"])]);
        Assert.Equal("b", index.AreaOf("s-2"));
        await index.UpdateAsync(["a", "b"], [new MembersRead(new MembersVersion(A, 3), null), Read(B, 4, [], ["s-1", "s-3"])]);

        Assert.Equal("a", index.AreaOf("s-2"));
        Assert.Equal(["s-1", "s-2", "s-3"], index.Sensors.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task An_area_gone_from_the_city_takes_its_members_with_it()
    {
        var index = new AreaMemberIndex();
        await index.UpdateAsync(["a", "b"], [Read(A, 1, ["seg-1"], ["s-1"]), Read(B, 1, [], ["s-2"])]);

        await index.UpdateAsync(["b"], [new MembersRead(new MembersVersion(B, 1), null)]);

        Assert.Null(index.AreaOf("s-1"));
        Assert.False(index.HoldsSegment("seg-1"));
        Assert.Null(index.VersionOf("a"));
        Assert.Equal(["s-2"], index.Sensors.ToList());
    }
}
