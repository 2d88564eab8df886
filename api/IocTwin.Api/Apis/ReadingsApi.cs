using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Api.Ingest;
using IocTwin.Api.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IocTwin.Api.Apis;

public static class ReadingsApi
{
    public static IEndpointRouteBuilder MapReadingsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/readings", PostReadings)
            .WithName("PostReadings")
            .RequireIngestApiKey()
            .WithSummary("Ingest a batch of sensor readings (at most 10,000); bad items are rejected one by one.")
            .Accepts<JsonElement>("application/json")
            .Produces<IngestResult>(StatusCodes.Status202Accepted);
        return app;
    }

    public static async Task<Results<Accepted<IngestResult>, ValidationProblem, ProblemHttpResult>> PostReadings(
        HttpRequest request, IngestService ingest, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return Problems.Field("body", "The body must be JSON (Content-Type: application/json).");
        }
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            return Problems.Field("body", $"Malformed JSON: {ex.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                return Problems.Field("body", "The body must be an array of readings.");
            }
            if (root.GetArrayLength() > ReadingBatchParser.MaxItems)
            {
                return TypedResults.Problem(new ProblemDetails
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "Too many readings",
                    Detail = $"A batch holds at most {ReadingBatchParser.MaxItems} readings; this one has {root.GetArrayLength()}.",
                    Extensions = { ["field"] = "body" },
                });
            }
            var (valid, rejected) = ReadingBatchParser.Parse(root, time.GetUtcNow());
            IngestResult result;
            try
            {
                result = await ingest.IngestAsync(valid, rejected);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException or OrleansException)
            {
                // Nothing was acknowledged: the sender keeps the readings and tries again.
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Readings not stored",
                    detail: "The twin could not store this batch; none of it was accepted. Retry shortly.");
            }
            return TypedResults.Accepted((string?)null, result);
        }
    }
}
