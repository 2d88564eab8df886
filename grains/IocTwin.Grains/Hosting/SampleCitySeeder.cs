using IocTwin.Grains;
using IocTwin.Topology;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IocTwin.Hosting;

/// <summary>Loads the Da Nang sample on first start, when the twin holds no district yet.</summary>
internal sealed class SampleCitySeeder(
    IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<SampleCitySeeder> logger) : BackgroundService
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
        if (city.Districts.Count > 0)
        {
            logger.LogInformation("Twin holds {Districts} districts; sample city not loaded", city.Districts.Count);
            return;
        }
        var sample = GeoJsonCityReader.LoadSample();
        await TopologyImporter.ImportAsync(grains, sample, stoppingToken);
        logger.LogInformation(
            "Loaded sample city {City}: {Districts} districts, {Segments} segments, {Sensors} sensors",
            sample.Name, sample.Districts.Count, sample.Segments.Count, sample.Sensors.Count);
    }
}
