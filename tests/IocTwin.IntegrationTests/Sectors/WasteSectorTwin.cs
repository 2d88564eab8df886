using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Sectors;

/// <summary>
/// The twin of a city that defines a sector of its own in configuration: waste, whose bins report how full they are
/// (0–100 %), its KPI the mean fill, its kind's default alert a bin over 90 % full.
/// </summary>
public sealed class WasteSectorTwin : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
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
        ["Twin:Sectors:Kinds:0:NameVi"] = "Thùng rác",
        ["Twin:Sectors:Kinds:0:NameEn"] = "Waste bin",
        ["Twin:Sectors:Kinds:0:Values:0:Name"] = "fill",
        ["Twin:Sectors:Kinds:0:Values:0:Unit"] = "%",
        ["Twin:Sectors:Kinds:0:Values:0:Min"] = "0",
        ["Twin:Sectors:Kinds:0:Values:0:Max"] = "100",
        ["Twin:Sectors:Kinds:0:Alert:Id"] = "bin-full",
        ["Twin:Sectors:Kinds:0:Alert:Name"] = "Bin over 90 % full",
        ["Twin:Sectors:Kinds:0:Alert:Value"] = "fill",
        ["Twin:Sectors:Kinds:0:Alert:Threshold"] = "90",
        ["Twin:Sectors:Kinds:0:Alert:ClearThreshold"] = "80",
        ["Twin:Sectors:Kinds:0:Alert:ForSeconds"] = "0",
        ["Twin:Sectors:Kinds:0:Alert:Severity"] = "warning",
    };
}
