using Microsoft.AspNetCore.Mvc;

namespace IocTwin.Api.History;

/// <summary>
/// The query string of a history endpoint, bound with [AsParameters]. Its values stay text until
/// <see cref="HistoryWindow.Parse(HistoryQuery, DateTimeOffset, HistoryQueryOptions)"/> reads them: a step is an
/// ISO-8601 duration or a number of seconds, and every bad value is named in one 400, where a typed binder would stop at
/// the first and name none.
/// </summary>
public sealed record HistoryQuery(
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To,
    [FromQuery(Name = "step")] string? Step,
    [FromQuery(Name = "limit")] string? Limit);
