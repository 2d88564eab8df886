using System.Diagnostics;
using System.Net;
using System.Text;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.EndToEnd;

/// <summary>The README's run command, started as a user would start it, on a fresh data folder.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task Run_command_prints_its_url_and_serves_Da_Nang_with_a_live_feed()
    {
        var root = TestBuild.RepositoryRoot();
        var port = TestPorts.Free();
        var data = Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"));
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // --no-build: the test run has built the projects already.
            ArgumentList =
            {
                "run", "--project", "api/IocTwin.Api", "--no-build", "-c", TestBuild.Configuration, "--",
                "--urls", url,
                $"--Twin:ConnectionString=Data Source={Path.Combine(data, "twin.db")}",
                $"--Twin:SiloPort={TestPorts.Free()}", $"--Twin:GatewayPort={TestPorts.Free()}",
                "--Feed:SensorPeriod=00:00:02",
            },
        };
        var output = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            // The README's embedded run is a development run: demo tokens are on offer.
            await Eventually.Until(async () =>
            {
                try { return (await http.GetAsync("/health/ready")).StatusCode; }
                catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; }
            }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the twin becomes ready");

            var token = await http.PostJson("/api/v1/dev/token", "{\"role\":\"ioc\"}");
            Assert.Equal(HttpStatusCode.OK, token.StatusCode);
            http.DefaultRequestHeaders.Authorization = new("Bearer", (string)(await token.ReadObject())["token"]!);
            var city = await Eventually.Until(() => http.Get<CityView>("/api/v1/city"), c => c.Districts!.Count == 7, TimeSpan.FromSeconds(30));
            Assert.Contains(city.Districts!, d => d.Name == "Ngũ Hành Sơn");
            lock (output)
            {
                Assert.Contains(url, output.ToString());
            }

            // The synthetic feed brings sensors online without anyone posting.
            await Eventually.Until(() => http.Get<CityView>("/api/v1/city"), c => c.Kpis.SensorsOnline.Value > 50, TimeSpan.FromSeconds(30),
                "the live feed reaches the city KPIs");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
