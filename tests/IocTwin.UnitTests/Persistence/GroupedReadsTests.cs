using IocTwin.Persistence;

namespace IocTwin.Tests.Persistence;

public sealed class GroupedReadsTests
{
    [Fact]
    public async Task Requests_arriving_while_statements_run_are_read_together_with_at_most_the_bound_in_flight()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = 0;
        var mostSeen = 0;
        var groups = new List<int>();
        var reads = new GroupedReads<int, string>(mostPerGroup: 100, mostInFlight: 2, async group =>
        {
            var now = Interlocked.Increment(ref inFlight);
            lock (groups)
            {
                mostSeen = Math.Max(mostSeen, now);
                groups.Add(group.Count);
            }
            // Statements under way stay under way until every request has been asked.
            await held.Task;
            Interlocked.Decrement(ref inFlight);
            return [.. group.Select(r => $"row {r}")];
        });

        var asked = Enumerable.Range(0, 1_000).Select(reads.ReadAsync).ToArray();
        held.SetResult();
        var answers = await Task.WhenAll(asked);

        Assert.Equal(Enumerable.Range(0, 1_000).Select(r => $"row {r}"), answers);
        Assert.InRange(mostSeen, 1, 2);
        Assert.All(groups, size => Assert.InRange(size, 1, 100));
        Assert.Equal(1_000, groups.Sum());
        // Two statements may start with one request each before the rest arrive; the rest go 100 a statement.
        Assert.InRange(groups.Count, 10, 12);
    }

    [Fact]
    public async Task A_failed_statement_fails_its_group_and_later_requests_are_read_again()
    {
        var fail = true;
        var reads = new GroupedReads<int, int>(mostPerGroup: 10, mostInFlight: 1, group =>
            fail ? throw new InvalidOperationException("database down") : Task.FromResult<IReadOnlyList<int>>([.. group.Select(r => r * 2)]));

        await Assert.ThrowsAsync<InvalidOperationException>(() => reads.ReadAsync(1));
        fail = false;
        Assert.Equal(8, await reads.ReadAsync(4));
    }
}
