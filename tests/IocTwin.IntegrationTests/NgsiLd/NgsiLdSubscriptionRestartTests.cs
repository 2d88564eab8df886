using System.Net;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.NgsiLd;

/// <summary>Subscriptions and their counters are stored: a twin started again on the same database notifies them.</summary>
public sealed class NgsiLdSubscriptionRestartTests
{
    [Fact]
    public async Task A_subscription_survives_a_restart_with_its_counters_and_notifies_again()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"));
        using var receiver = new NotificationReceiver();
        string id;
        string counterId;
        await using (var first = new NotificationsTwinFactory { DatabaseFolder = folder })
        {
            await ((IAsyncLifetime)first).InitializeAsync();
            var counter = (await first.Http.Counters("hai-chau"))[0];
            counterId = counter.Id;
            id = await first.Http.Subscribe(SubscriptionCalls.On(counter, receiver.Url, """, "subscriptionName": "kept" """));
            await first.Http.Reading(counter.Id, new { speed = 33.0 });
            await receiver.WaitFor(id, e => (double?)e["averageVehicleSpeed"] == 33.0, "notified before the restart");
            await Eventually.Until(() => first.Http.Subscription(id), s => (long?)s["notification"]!["timesSent"] >= 1);
            await ((IAsyncLifetime)first).DisposeAsync();
        }

        await using var second = new NotificationsTwinFactory { DatabaseFolder = folder };
        await ((IAsyncLifetime)second).InitializeAsync();
        var read = await second.Http.Subscription(id);
        Assert.Equal("kept", (string)read["subscriptionName"]!);
        Assert.True((long)read["notification"]!["timesSent"]! >= 1);

        await second.Http.Reading(counterId, new { speed = 34.0 });

        await receiver.WaitFor(id, e => (double?)e["averageVehicleSpeed"] == 34.0, "notified after the restart");
        Assert.Equal(HttpStatusCode.NoContent, (await second.Http.DeleteAsync("/ngsi-ld/v1/subscriptions/" + Uri.EscapeDataString(id))).StatusCode);
        await ((IAsyncLifetime)second).DisposeAsync();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; the temp folder is cleaned by the OS.
        }
    }
}
