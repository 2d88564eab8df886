namespace IocTwin.Api.Ingest;

/// <summary>The twin is taking all the readings it can apply: the batch was not taken, the sender tries again later.</summary>
public sealed class IngestSaturatedException(TimeSpan retryAfter)
    : Exception($"The twin is applying as many readings as it can; try again in {retryAfter.TotalSeconds:0.#} s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
