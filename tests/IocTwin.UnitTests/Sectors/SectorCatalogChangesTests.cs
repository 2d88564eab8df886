using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Tests.Sectors;

/// <summary>
/// A change to the catalogue is worked out against the stored one: the half posted replaces its half only, a stale
/// version is refused, and what is still in use is not removed. A process never goes back to an older catalogue.
/// </summary>
public sealed class SectorCatalogChangesTests
{
    private static readonly SensorKindDefinition BinFill = new("bin-fill", "waste", [new("fill", "%", 0, 100)]);
    private static readonly SectorDefinition Waste = new("waste", "Rác thải", "Waste", "#8d6e63", [new("bin-fill-mean", "bin-fill", "fill", "mean")]);
    private static readonly SectorDefinition Parks = new("parks", "Công viên", "Parks", "#2e7d32");
    private static readonly SectorCatalogDocument Stored = DefaultSectors.With([Waste], [BinFill]) with { Version = 4 };

    [Fact]
    public void Sectors_posted_keep_the_kinds_stored_and_take_the_next_version()
    {
        var change = SectorCatalogChanges.ReplaceSectors(Stored, [.. Stored.Sectors, Parks], ifMatch: null, uses: []);

        Assert.Equal(CatalogChangeOutcome.Stored, change.Outcome);
        Assert.Equal(5, change.Catalog.Version);
        Assert.Contains(change.Catalog.Sectors, s => s.Id == "parks");
        Assert.Equal(Stored.Kinds, change.Catalog.Kinds);
    }

    [Fact]
    public void A_version_other_than_the_stored_one_is_refused_and_the_stored_catalogue_returned()
    {
        var stale = SectorCatalogChanges.ReplaceKinds(Stored, [.. Stored.Kinds], ifMatch: [3], uses: []);
        var current = SectorCatalogChanges.ReplaceKinds(Stored, [.. Stored.Kinds], ifMatch: [3, 4], uses: []);

        Assert.Equal((CatalogChangeOutcome.VersionMismatch, Stored), (stale.Outcome, stale.Catalog));
        Assert.Equal(CatalogChangeOutcome.Stored, current.Outcome);
    }

    [Fact]
    public void Removing_what_is_still_used_is_a_conflict_naming_each_use()
    {
        var withParks = Stored with { Sectors = [.. Stored.Sectors, Parks] };
        var uses = new[] { new CatalogUse("sensors", "soil-1", "parks", "soil"), new CatalogUse("sensors", "soil-2", "parks", "soil") };

        var sectors = SectorCatalogChanges.ReplaceSectors(withParks, [.. Stored.Sectors.Where(s => s.Id != "waste")], null, uses);
        Assert.Equal(CatalogChangeOutcome.Conflict, sectors.Outcome);
        Assert.Contains("sensor kind 'bin-fill' belongs to sector 'waste'", sectors.Conflicts);
        Assert.Equal(CatalogChangeOutcome.Conflict, SectorCatalogChanges.ReplaceSectors(withParks, [.. Stored.Sectors], null, uses).Outcome);
        Assert.Contains("sector 'parks' has 2 sensors (e.g. 'soil-1')",
            SectorCatalogChanges.ReplaceSectors(withParks, [.. Stored.Sectors], null, uses).Conflicts);

        var kinds = SectorCatalogChanges.ReplaceKinds(Stored, [.. Stored.Kinds.Where(k => k.Id != "bin-fill")], null, []);
        Assert.Equal(CatalogChangeOutcome.Conflict, kinds.Outcome);
        Assert.Contains("KPI 'bin-fill-mean' of sector 'waste' reads value 'fill' of kind 'bin-fill'", kinds.Conflicts);
    }

    [Fact]
    public void An_invalid_list_is_refused_naming_the_field()
    {
        var change = SectorCatalogChanges.ReplaceKinds(Stored, [.. Stored.Kinds, BinFill with { Id = "bin-weight", Sector = "sewage" }], null, []);

        Assert.Equal(CatalogChangeOutcome.Invalid, change.Outcome);
        Assert.Contains(change.Problems, p => p.Field == $"[{Stored.Kinds.Count}].sector");
    }

    [Fact]
    public void A_process_takes_a_newer_catalogue_and_never_goes_back_to_an_older_one()
    {
        var before = SectorCatalog.Current;
        try
        {
            // The same content as in use (other tests read it meanwhile), only the versions differ.
            var newer = new SectorCatalog(before.Document with { Version = before.Document.Version + 10 });
            var older = new SectorCatalog(before.Document with { Version = before.Document.Version + 5 });

            Assert.True(SectorCatalog.UseIfNewer(newer));
            Assert.False(SectorCatalog.UseIfNewer(older));
            Assert.Same(newer, SectorCatalog.Current);
        }
        finally
        {
            SectorCatalog.Use(before);
        }
    }
}
