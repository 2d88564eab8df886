using System.Text.Json;
using IocTwin.Api.Json;
using IocTwin.Domain;
using IocTwin.Hosting.Sectors;
using IocTwin.Model;
using Microsoft.Extensions.Configuration;

namespace IocTwin.Tests.Sectors;

/// <summary>The catalogue of sectors and sensor kinds: its defaults, what makes one valid, and how a city configures one.</summary>
public sealed class SectorCatalogTests
{
    private static readonly SensorKindDefinition BinFill = new("bin-fill", "waste", [new("fill", "%", 0, 100)],
        new("bin-full", "Bin over 90 % full", "fill", 90, 80, 0, "warning"));

    private static readonly SectorDefinition Waste = new("waste", "Rác thải", "Waste", "#8d6e63", [new("bin-fill-mean", "bin-fill", "fill", "mean")]);

    private static readonly SectorCatalogDocument WithWaste = DefaultSectors.With([Waste], [BinFill]);

    [Fact]
    public void The_defaults_are_the_six_sectors_and_nine_kinds_with_the_ranges_and_alerts_ingest_always_had()
    {
        var catalog = new SectorCatalog(DefaultSectors.Document);

        Assert.Equal(Sector.Compiled, catalog.Sectors);
        Assert.Equal(SensorKind.Compiled, catalog.Kinds);
        Assert.Equal(new ValueRange(0, 300, "km/h"), catalog.RangeOf("speed"));
        Assert.Equal(new ValueRange(-50, 100, "m"), catalog.RangeOf("level"));
        Assert.Equal(ReadingRanges.Other, catalog.RangeOf("humidity"));
        Assert.Equal(Sector.Flood, catalog.SectorOf(SensorKind.RainGauge));
        Assert.Equal(["aqi-unhealthy", "water-high"], catalog.KindAlertRules.Select(r => r.Id));
        Assert.Empty(SectorCatalogRules.ValidateSectors(DefaultSectors.Sectors, DefaultSectors.Kinds));
        Assert.Empty(SectorCatalogRules.ValidateKinds(DefaultSectors.Kinds, DefaultSectors.Sectors));
    }

    [Fact]
    public void A_sector_the_city_adds_lists_after_the_six_and_brings_its_kinds_ranges_alert_and_kpi()
    {
        var catalog = new SectorCatalog(WithWaste);

        Assert.Equal([.. Sector.Compiled, new Sector("waste")], catalog.Sectors);
        Assert.Equal(new Sector("waste"), catalog.SectorOf(new SensorKind("bin-fill")));
        Assert.Equal(new ValueRange(0, 100, "%"), catalog.RangeOf("fill"));
        Assert.Contains(catalog.KindAlertRules, r => r.Id == "bin-full" && r.Kind == new SensorKind("bin-fill") && r.Threshold == 90);
        Assert.True(catalog.TryParse("Waste", out Sector waste) && waste == new Sector("waste"));
        Assert.True(catalog.TryParse("BinFill", out SensorKind binFill) && binFill == new SensorKind("bin-fill"));
        Assert.False(catalog.TryParse("sewage", out Sector _));
    }

    public static TheoryData<string, SectorDefinition[], string> BadSectors => new()
    {
        { "duplicate id", [.. DefaultSectors.Sectors, Waste, Waste with { NameEn = "Waste again" }], "[7].id" },
        { "not kebab-case", [.. DefaultSectors.Sectors, Waste with { Id = "Waste_Sector" }], "[6].id" },
        { "no colour", [.. DefaultSectors.Sectors, Waste with { Colour = "brown" }], "[6].colour" },
        { "no English name", [.. DefaultSectors.Sectors, Waste with { NameEn = " " }], "[6].nameEn" },
        { "KPI of an unknown kind", [.. DefaultSectors.Sectors, Waste with { Kpis = [new("k", "bin-size", "fill", "mean")] }], "[6].kpis[0].kind" },
        { "KPI of an unknown value", [.. DefaultSectors.Sectors, Waste with { Kpis = [new("k", "bin-fill", "weight", "mean")] }], "[6].kpis[0].value" },
        { "KPI aggregated by median", [.. DefaultSectors.Sectors, Waste with { Kpis = [new("k", "bin-fill", "fill", "median")] }], "[6].kpis[0].aggregate" },
        { "without traffic", [.. DefaultSectors.Sectors.Skip(1), Waste], "sectors" },
    };

    [Theory]
    [MemberData(nameof(BadSectors))]
    public void Sectors_breaking_a_rule_are_refused_naming_the_field(string why, SectorDefinition[] sectors, string field)
    {
        var problems = SectorCatalogRules.ValidateSectors(sectors, WithWaste.Kinds);

        Assert.True(problems.Any(p => p.Field == field), $"{why}: {string.Join("; ", problems)}");
    }

    public static TheoryData<string, SensorKindDefinition[], string> BadKinds => new()
    {
        { "unknown sector", [.. DefaultSectors.Kinds, BinFill with { Sector = "sewage" }], "[9].sector" },
        { "range min over max", [.. DefaultSectors.Kinds, BinFill with { Values = [new("fill", "%", 100, 0)] }], "[9].values[0].min" },
        { "duplicate id", [.. DefaultSectors.Kinds, BinFill, BinFill], "[10].id" },
        { "no values", [.. DefaultSectors.Kinds, BinFill with { Values = [] }], "[9].values" },
        { "a value name with another range", [.. DefaultSectors.Kinds, BinFill with { Values = [new("speed", "km/h", 0, 50)], Alert = null }], "[9].values[0]" },
        { "alert on a value it lacks", [.. DefaultSectors.Kinds, BinFill with { Alert = BinFill.Alert! with { Value = "weight" } }], "[9].alert.value" },
        { "alert clearing above its threshold", [.. DefaultSectors.Kinds, BinFill with { Alert = BinFill.Alert! with { ClearThreshold = 95 } }], "[9].alert.clearThreshold" },
        { "alert taking a rule id of the twin", [.. DefaultSectors.Kinds, BinFill with { Alert = BinFill.Alert! with { Id = "sensor-offline" } }], "[9].alert.id" },
    };

    [Theory]
    [MemberData(nameof(BadKinds))]
    public void Kinds_breaking_a_rule_are_refused_naming_the_field(string why, SensorKindDefinition[] kinds, string field)
    {
        var problems = SectorCatalogRules.ValidateKinds(kinds, WithWaste.Sectors);

        Assert.True(problems.Any(p => p.Field == field), $"{why}: {string.Join("; ", problems)}");
    }

    [Fact]
    public void A_city_configures_its_sectors_and_kinds_in_the_Twin_Sectors_section_on_top_of_the_defaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Twin:Sectors:Sectors:0:Id"] = "waste",
            ["Twin:Sectors:Sectors:0:NameVi"] = "Rác thải",
            ["Twin:Sectors:Sectors:0:NameEn"] = "Waste",
            ["Twin:Sectors:Sectors:0:Colour"] = "#8d6e63",
            ["Twin:Sectors:Sectors:0:Kpis:0:Id"] = "bin-fill-mean",
            ["Twin:Sectors:Sectors:0:Kpis:0:Kind"] = "bin-fill",
            ["Twin:Sectors:Sectors:0:Kpis:0:Value"] = "fill",
            ["Twin:Sectors:Sectors:0:Kpis:0:Aggregate"] = "mean",
            ["Twin:Sectors:Kinds:0:Id"] = "bin-fill",
            ["Twin:Sectors:Kinds:0:Sector"] = "waste",
            ["Twin:Sectors:Kinds:0:Values:0:Name"] = "fill",
            ["Twin:Sectors:Kinds:0:Values:0:Unit"] = "%",
            ["Twin:Sectors:Kinds:0:Values:0:Min"] = "0",
            ["Twin:Sectors:Kinds:0:Values:0:Max"] = "100",
            ["Twin:Sectors:Kinds:0:NameEn"] = "Waste bin",
            ["Twin:Sectors:Kinds:0:Alert:Id"] = "bin-full",
            ["Twin:Sectors:Kinds:0:Alert:Name"] = "Bin over 90 % full",
            ["Twin:Sectors:Kinds:0:Alert:Value"] = "fill",
            ["Twin:Sectors:Kinds:0:Alert:Threshold"] = "90",
            ["Twin:Sectors:Kinds:0:Alert:ClearThreshold"] = "80",
            ["Twin:Sectors:Kinds:0:Alert:ForSeconds"] = "0",
            ["Twin:Sectors:Kinds:0:Alert:Severity"] = "warning",
        }).Build();

        var catalog = new SectorCatalog(SectorSettings.Read(configuration)!);

        Assert.Equal(7, catalog.Document.Sectors.Count);
        Assert.Equal(("Rác thải", "#8d6e63"), (catalog.Find(new Sector("waste"))!.NameVi, catalog.Find(new Sector("waste"))!.Colour));
        Assert.Equal("bin-fill-mean", Assert.Single(catalog.KpiRules).Id);
        Assert.Equal(new ValueRange(0, 100, "%"), catalog.RangeOf("fill"));
        Assert.Equal(("Waste bin", 90.0), (catalog.Find(new SensorKind("bin-fill"))!.NameEn, catalog.KindAlertRules.Single(r => r.Id == "bin-full").Threshold));
        Assert.Null(SectorSettings.Read(new ConfigurationBuilder().Build()));
    }

    [Fact]
    public void A_configured_kind_of_a_sector_the_city_does_not_define_stops_the_start_naming_it()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Twin:Sectors:Kinds:0:Id"] = "bin-fill",
            ["Twin:Sectors:Kinds:0:Sector"] = "waste",
            ["Twin:Sectors:Kinds:0:Values:0:Name"] = "fill",
            ["Twin:Sectors:Kinds:0:Values:0:Unit"] = "%",
            ["Twin:Sectors:Kinds:0:Values:0:Min"] = "0",
            ["Twin:Sectors:Kinds:0:Values:0:Max"] = "100",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => SectorSettings.Read(configuration));

        Assert.Contains("Kinds[9].sector", error.Message);
    }

    [Fact]
    public void Sectors_and_kinds_are_written_in_JSON_as_the_kebab_case_strings_the_enums_were()
    {
        var sensor = new SensorSpec("s-1", SensorKind.PeopleCounter, Sector.PublicSafety, new GeoPoint(108.2, 16.05), "hai-chau", null, null);
        var bySector = new Dictionary<Sector, int> { [Sector.PublicSafety] = 1, [new Sector("waste")] = 2 };

        var json = JsonSerializer.Serialize(sensor, TwinJson.Options);
        var keys = JsonSerializer.Serialize(bySector, TwinJson.Options);

        Assert.Contains("\"kind\":\"people-counter\",\"sector\":\"public-safety\"", json);
        Assert.Equal("{\"public-safety\":1,\"waste\":2}", keys);
        Assert.Equal(sensor, JsonSerializer.Deserialize<SensorSpec>(json, TwinJson.Options));
        Assert.Equal(bySector, JsonSerializer.Deserialize<Dictionary<Sector, int>>(keys, TwinJson.Options));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Sector>("\"Public Safety\"", TwinJson.Options));
    }

    [Fact]
    public void A_rule_kpi_rolls_up_over_areas_exactly_a_mean_weighted_by_its_sensors()
    {
        var at = new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
        SensorSnapshot Bin(string id, double fill) => new(id, new SensorKind("bin-fill"), new Sector("waste"), at, new Dictionary<string, double>() { ["fill"] = fill }, 1);
        var first = new RuleKpis(Waste.Kpis!);
        first.Add(Bin("b1", 20));
        first.Add(Bin("b2", 40));
        var second = new RuleKpis(Waste.Kpis!);
        second.Add(Bin("b4", 90));

        var city = new RuleKpis([]);
        city.Add(first.Values);
        city.Add(second.Values);

        Assert.Equal((30, 2), (first.Values!["bin-fill-mean"].Value, first.Values["bin-fill-mean"].Count));
        Assert.Equal((50, 3), (city.Values!["bin-fill-mean"].Value, city.Values["bin-fill-mean"].Count));
    }
}
