using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Model;

namespace IocTwin.Api.Reports;

/// <summary>A citizen report as the citizen app or the public form sends it.</summary>
public sealed record ReportRequest(string? Category, string? Text, double? Lat, double? Lon, string? PhotoUrl, string? Contact);

/// <summary>An OC's step on a report: a note for any step; a reason, required to reject.</summary>
public sealed record ReportActionRequest(string? Note, string? Reason);

/// <summary>What anyone holding a report's id may see of it: where it stands, never what it says or who sent it.</summary>
public sealed record ReportStatus(string Id, string Category, ReportState State, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A category citizens may file under: its sector and how many hours the city gives itself to deal with it.</summary>
public sealed record ReportCategory(string Name, Sector Sector, double SlaHours);

/// <summary>An area directly under the city, for the public form's map: its name and outline, nothing live.</summary>
public sealed record ReportFormArea(string Id, string Name, string? NameEn, IReadOnlyList<GeoPoint> Boundary);

/// <summary>What the public form needs: the categories, and the outlines of the city's areas to place a report on.</summary>
public sealed record ReportForm(List<ReportCategory> Categories, List<ReportFormArea> Areas);

/// <summary>A page of reports, soonest deadline first; <see cref="Total"/> counts every report the filters match.</summary>
public sealed record ReportPage(int Total, int Offset, int Limit, List<ReportView> Items);

/// <summary>Checks of what citizens and OCs send, every bad field named at once.</summary>
public static class ReportRequests
{
    public const int MaxNoteLength = 500;

    /// <summary>
    /// A report checked and routed: its category's sector and SLA; null (and errors) when any field is bad; null without
    /// errors when the category's sector is not in the sector catalogue as it is now.
    /// </summary>
    public static (GeoPoint Location, string Category, Sector Sector, TimeSpan Sla, string Text, string? PhotoUrl, string? Contact)? Check(
        ReportRequest body, ReportOptions options, Dictionary<string, List<string>> errors)
    {
        ReportCategoryOptions? category = null;
        if (body.Category is null || !options.Categories.TryGetValue(body.Category, out category))
        {
            errors.AddError("category", $"is required, one of: {string.Join(", ", options.Categories.Keys.Order(StringComparer.Ordinal))}");
        }
        var text = body.Text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > options.MaxTextLength || HasControlCharacters(text, allowLineBreaks: true))
        {
            errors.AddError("text", $"is required, at most {options.MaxTextLength} characters, without control characters");
        }
        if (body.Lat is not { } lat || !double.IsFinite(lat) || lat is < -90 or > 90)
        {
            errors.AddError("lat", "is required, a latitude from -90 to 90");
        }
        if (body.Lon is not { } lon || !double.IsFinite(lon) || lon is < -180 or > 180)
        {
            errors.AddError("lon", "is required, a longitude from -180 to 180");
        }
        var photo = string.IsNullOrWhiteSpace(body.PhotoUrl) ? null : body.PhotoUrl.Trim();
        if (photo is not null && (photo.Length > options.MaxPhotoUrlLength || !Uri.TryCreate(photo, UriKind.Absolute, out var uri) ||
            uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.UserInfo)))
        {
            errors.AddError("photoUrl", $"must be an http or https address without credentials, at most {options.MaxPhotoUrlLength} characters");
        }
        var contact = string.IsNullOrWhiteSpace(body.Contact) ? null : body.Contact.Trim();
        if (contact is not null && (contact.Length > options.MaxContactLength || HasControlCharacters(contact, allowLineBreaks: false)))
        {
            errors.AddError("contact", $"must be at most {options.MaxContactLength} characters, on one line");
        }
        if (errors.Count > 0 || category is null || !SectorNames.TryParse(category.Sector, out var sector))
        {
            return null;
        }
        return (new GeoPoint(body.Lon!.Value, body.Lat!.Value), body.Category!, sector, category.Sla, text!, photo, contact);
    }

    /// <summary>The note and reason of an action; null (and errors) when too long, or a reject without a reason.</summary>
    public static string? CheckAction(ReportAction action, ReportActionRequest? body, Dictionary<string, List<string>> errors)
    {
        var note = string.IsNullOrWhiteSpace(body?.Note) ? null : body.Note.Trim();
        var reason = string.IsNullOrWhiteSpace(body?.Reason) ? null : body.Reason.Trim();
        if (note is { Length: > MaxNoteLength })
        {
            errors.AddError("note", $"must be at most {MaxNoteLength} characters");
        }
        if (action == ReportAction.Reject && reason is null)
        {
            errors.AddError("reason", "is required to reject a report");
        }
        if (reason is { Length: > MaxNoteLength })
        {
            errors.AddError("reason", $"must be at most {MaxNoteLength} characters");
        }
        return action == ReportAction.Reject ? reason : note;
    }

    private static bool HasControlCharacters(string text, bool allowLineBreaks) =>
        text.Any(c => char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\r' or '\t'));
}
