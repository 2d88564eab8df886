using Microsoft.Extensions.Options;

namespace IocTwin.Api.Reports;

/// <summary>One category of citizen report: how soon it must be dealt with, and the sector whose OCs it is routed to.</summary>
public sealed class ReportCategoryOptions
{
    /// <summary>How long after filing a report may stay open before it counts as overdue.</summary>
    public TimeSpan Sla { get; set; }

    /// <summary>The sector the category belongs to, as in tokens and JSON ("flood", "public-safety").</summary>
    public string Sector { get; set; } = "";
}

/// <summary>Citizen reports (section Twin:Reports): the categories the city takes, by name; defaults in appsettings.json.</summary>
public sealed class ReportOptions
{
    public const string SectionName = "Twin:Reports";

    public Dictionary<string, ReportCategoryOptions> Categories { get; set; } = new(StringComparer.Ordinal);

    public int MaxTextLength { get; set; } = 2_000;

    public int MaxContactLength { get; set; } = 200;

    public int MaxPhotoUrlLength { get; set; } = 2_048;

    /// <summary>A report's whole body at most: a longer one is refused (413) before it is read.</summary>
    public const long MaxBodyBytes = 16_384;

    /// <summary>
    /// Refuses a start with no category, an SLA not above zero or a category without a sector. Whether the sector is in
    /// the catalogue is checked when a report is filed: the catalogue changes while the twin runs (PUT /sectors).
    /// </summary>
    public sealed class Validator : IValidateOptions<ReportOptions>
    {
        public ValidateOptionsResult Validate(string? name, ReportOptions options)
        {
            var errors = new List<string>();
            if (options.Categories.Count == 0)
            {
                errors.Add($"{SectionName}:Categories is empty: citizens could file no report.");
            }
            foreach (var (category, settings) in options.Categories)
            {
                if (settings.Sla <= TimeSpan.Zero)
                {
                    errors.Add($"{SectionName}:Categories:{category}:Sla must be above zero.");
                }
                if (string.IsNullOrWhiteSpace(settings.Sector))
                {
                    errors.Add($"{SectionName}:Categories:{category}:Sector is required.");
                }
            }
            if (options.MaxTextLength < 1 || options.MaxContactLength < 1 || options.MaxPhotoUrlLength < 1)
            {
                errors.Add($"{SectionName}: length limits must be positive.");
            }
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
