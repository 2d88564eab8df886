using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Topology;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IocTwin.Hosting;

/// <summary>Loads the Da Nang sample on first start, when the twin holds no district yet.</summary>
internal sealed class SampleCitySeeder(
    IGrainFactory grains, SampleCityLoad load, IHostApplicationLifetime lifetime, ILogger<SampleCitySeeder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The silo accepts calls only once the host has started.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
        var city = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get();
        if (city.Districts!.Count > 0)
        {
            logger.LogInformation("Twin holds {Districts} districts; sample city not loaded", city.Districts!.Count);
            load.Loaded();
            return;
        }
        var sample = GeoJsonCityReader.LoadSample();
        await ImportWithRetriesAsync(sample, stoppingToken);
        await WaitUntilCountedAsync(sample, stoppingToken);
        load.Loaded();
        await AnnounceAsync();
        logger.LogInformation(
            "Loaded sample city {City}: {Districts} districts, {Segments} segments, {Sensors} sensors",
            sample.Name, sample.Districts.Count, sample.Segments.Count, sample.Sensors.Count);
    }

    /// <summary>
    /// Registration is idempotent, so a call that timed out (a silo starting beside this one, a busy machine) is tried
    /// again with the rest rather than stopping the silo with a half-loaded city.
    /// </summary>
    private async Task ImportWithRetriesAsync(CitySpec sample, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TopologyImporter.ImportAsync(grains, sample, stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException && attempt < MaxImportAttempts && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Loading the sample city failed ({Error}); trying again, attempt {Attempt} of {Max}", ex.Message, attempt + 1, MaxImportAttempts);
                await Task.Delay(TimeSpan.FromSeconds(attempt), stoppingToken);
            }
        }
    }

    private const int MaxImportAttempts = 5;

    /// <summary>
    /// Tells every API process already running that the whole tree came in, as PUT and import do, so that their areas,
    /// access and held state follow without waiting for each area to publish. No process made it: every one applies it.
    /// </summary>
    private async Task AnnounceAsync()
    {
        try
        {
            await grains.GetGrain<ITwinPublisher>(0).PublishTopologyChanged(new TopologyChange(Guid.Empty, [], TreeChanged: true, Moved: false));
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // A process that misses it reads the tree again when an update names an area it does not know.
            logger.LogWarning("The sample city's topology could not be announced to the API processes: {Error}", ex.Message);
        }
    }

    /// <summary>Until the city lists every district and the districts count every sensor and segment of the sample.</summary>
    private async Task WaitUntilCountedAsync(CitySpec sample, CancellationToken stoppingToken)
    {
        while (true)
        {
            var city = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get();
            var districts = await Task.WhenAll(city.Districts!.Select(d => grains.GetGrain<IDistrictGrain>(d.Id).Get()));
            if (city.Districts!.Count >= sample.Districts.Count
                && districts.Sum(d => d?.SensorCount ?? 0) >= sample.Sensors.Count
                && districts.Sum(d => d?.SegmentCount ?? 0) >= sample.Segments.Count)
            {
                return;
            }
            await Task.Delay(50, stoppingToken);
        }
    }
}
