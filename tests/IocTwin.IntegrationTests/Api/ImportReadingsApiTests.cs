using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

[Collection(TwinApiCollection.Name)]
public sealed class ImportReadingsApiTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    private const string Path = "/api/v1/import/readings";

    /// <summary>
    /// A new air-quality sensor beside one of the district's: readings other tests post to the sample's sensors never
    /// mix into these tests' counts, last readings and histories.
    /// </summary>
    private async Task<SensorView> NewAirSensor(string districtId)
    {
        var sensors = JsonNode.Parse(await Http.GetStringAsync($"/api/v1/districts/{districtId}/sensors"))!.AsArray();
        var beside = sensors.Last(s => (string)s!["kind"]! == "air-quality")!;
        var id = $"imp-{Guid.NewGuid():N}"[..16];
        var put = await Http.PutJson($"/api/v1/sensors/{id}", new JsonObject
        {
            ["kind"] = "air-quality",
            ["sector"] = "environment",
            ["location"] = beside["location"]!.DeepClone(),
            ["districtId"] = districtId,
        }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return await Http.Get<SensorView>($"/api/v1/sensors/{id}");
    }

    private static DateTimeOffset MinuteAgo(int minutes)
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-minutes);
    }

    private static StringContent Csv(string text, bool bom = false) =>
        new(bom ? "\uFEFF" + text : text, new UTF8Encoding(false), "text/csv");

    private async Task<Dictionary<string, double>> HistoryAverages(string sensorId, DateTimeOffset minute)
    {
        var history = await (await Http.GetAsync(
            $"/api/v1/sensors/{sensorId}/history?from={Uri.EscapeDataString(minute.ToString("O"))}&to={Uri.EscapeDataString(minute.AddMinutes(1).ToString("O"))}&step=PT1M"))
            .ReadObject();
        var bucket = Assert.Single(history["buckets"]!.AsArray())!;
        return bucket["values"]!.AsObject().ToDictionary(v => v.Key, v => (double)v.Value!["avg"]!);
    }

    [Fact]
    public async Task The_long_form_imports_one_value_per_row_into_the_twin_and_its_history()
    {
        var sensor = await NewAirSensor("hai-chau");
        var before = (await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}")).ReadingCount;
        var start = MinuteAgo(30);
        var csv = $"""
            sensorId,timestamp,name,value
            {sensor.Id},{start.AddSeconds(10):O},pm25,20
            {sensor.Id},{start.AddSeconds(20):O},pm25,40
            "{sensor.Id}","{start.AddSeconds(30):O}","no2","12.5"

            """;

        var response = await Http.PostAsync(Path, Csv(csv.Replace("\n", "\r\n"), bom: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.ReadObject();
        Assert.Equal(3, (int)report["rows"]!);
        Assert.Equal(3, (int)report["accepted"]!);
        Assert.Empty(report["rejected"]!.AsArray());
        var after = await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}");
        Assert.Equal(before + 3, after.ReadingCount);
        var averages = await HistoryAverages(sensor.Id, start);
        Assert.Equal(30, averages["pm25"], 6);
        Assert.Equal(12.5, averages["no2"], 6);
    }

    [Fact]
    public async Task The_wide_form_makes_one_reading_of_several_values_per_row()
    {
        var sensor = await NewAirSensor("son-tra");
        var before = (await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}")).ReadingCount;
        var start = MinuteAgo(3);
        var csv = $"""
            sensorId,timestamp,pm25,"no2",o3
            {sensor.Id},{start.AddSeconds(5):O},18,9,
            {sensor.Id},{start.AddSeconds(15):O},22,11,30
            """;

        var response = await Http.PostAsync(Path, Csv(csv));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.ReadObject();
        Assert.Equal(2, (int)report["rows"]!);
        Assert.Equal(2, (int)report["accepted"]!);
        var after = await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}");
        Assert.Equal(before + 2, after.ReadingCount);
        Assert.Equal(start.AddSeconds(15), after.LastReading!.Timestamp);
        Assert.Equal(new Dictionary<string, double> { ["pm25"] = 22, ["no2"] = 11, ["o3"] = 30 }, after.LastReading.Values);
        var averages = await HistoryAverages(sensor.Id, start);
        Assert.Equal(20, averages["pm25"], 6);
        Assert.Equal(30, averages["o3"], 6);
    }

    [Fact]
    public async Task A_mixed_file_reports_bad_lines_with_their_field_and_imports_the_good_ones()
    {
        var sensor = await NewAirSensor("thanh-khe");
        var before = (await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}")).ReadingCount;
        var t = MinuteAgo(2);
        var csv = $"""
            sensorId,timestamp,pm25,no2
            {sensor.Id},{t:O},15,7
            no-such-sensor,{t:O},15,7
            {sensor.Id},yesterday,15,7
            {sensor.Id},{t:O},NaN,7
            {sensor.Id},{t:O},15,lots
            {sensor.Id},{t:O},,
            ,{t:O},15,7
            {sensor.Id},{t.AddHours(2):O},15,7
            {sensor.Id},{t:O},15
            "{sensor.Id}","{t.AddSeconds(30):O}",16,"8"
            """;

        var response = await Http.PostAsync(Path, Csv(csv));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.ReadObject();
        Assert.Equal(10, (int)report["rows"]!);
        Assert.Equal(2, (int)report["accepted"]!);
        var rejected = report["rejected"]!.AsArray().Select(r => ((int)r!["line"]!, (string)r["field"]!)).ToList();
        Assert.Equal(
            [(3, "sensorId"), (4, "timestamp"), (5, "pm25"), (6, "no2"), (7, "values"), (8, "sensorId"), (9, "timestamp"), (10, "row")],
            rejected);
        Assert.All(report["rejected"]!.AsArray(), r => Assert.False(string.IsNullOrEmpty((string)r!["error"]!)));
        var after = await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}");
        Assert.Equal(before + 2, after.ReadingCount);
        Assert.Equal(16, after.LastReading!.Values["pm25"]);
    }

    [Fact]
    public async Task Long_form_errors_name_the_value_and_name_columns()
    {
        var sensor = await NewAirSensor("hoa-vang");
        var t = MinuteAgo(5);
        var csv = $"""
            sensorId,timestamp,name,value
            {sensor.Id},{t:O},pm25,abc
            {sensor.Id},{t:O},,3
            {sensor.Id},{t:O},pm25,3
            """;

        var report = await (await Http.PostAsync(Path, Csv(csv))).ReadObject();

        Assert.Equal(1, (int)report["accepted"]!);
        Assert.Equal(
            [(2, "value"), (3, "name")],
            report["rejected"]!.AsArray().Select(r => ((int)r!["line"]!, (string)r["field"]!)).ToList());
    }

    public static TheoryData<string, byte[]> NotCsv => new()
    {
        { "no header", Encoding.UTF8.GetBytes("hello world\nsecond line\n") },
        { "json", Encoding.UTF8.GetBytes("[{\"sensorId\":\"x\"}]") },
        { "empty", [] },
        { "binary", [0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFE, 0x00, 0x01, 0xC3, 0x28] },
        { "open quote", Encoding.UTF8.GetBytes("sensorId,timestamp,pm25\n\"{SENSOR},2026-11-25T08:00:00Z,3\n") },
        { "stray quote", Encoding.UTF8.GetBytes("sensorId,timestamp,pm25\n{SENSOR},2026-11-25T08:00:00Z,3\"x\n") },
    };

    [Theory]
    [MemberData(nameof(NotCsv))]
    public async Task A_body_that_is_not_csv_is_a_400_naming_the_body_and_imports_nothing(string what, byte[] body)
    {
        var sensor = await NewAirSensor("lien-chieu");
        var before = (await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}")).ReadingCount;
        var text = Encoding.UTF8.GetString(body);
        var bytes = text.Contains("{SENSOR}")
            ? Encoding.UTF8.GetBytes($"sensorId,timestamp,pm25\n{sensor.Id},{MinuteAgo(1):O},3\n" + text.Replace("{SENSOR}", sensor.Id))
            : body;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("text/csv");

        var response = await Http.PostAsync(Path, content);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, what);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("body", await response.ProblemFields());
        Assert.Equal(before, (await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}")).ReadingCount);
    }

    [Fact]
    public async Task Over_a_hundred_thousand_rows_is_a_413_and_imports_nothing()
    {
        var sensor = await NewAirSensor("ngu-hanh-son");
        var before = (await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}")).ReadingCount;
        var t = MinuteAgo(50).ToString("O");
        var csv = new StringBuilder("sensorId,timestamp,pm25\n");
        for (var i = 0; i < 100_001; i++)
        {
            csv.Append(sensor.Id).Append(',').Append(t).Append(",1\n");
        }

        var response = await Http.PostAsync(Path, Csv(csv.ToString()));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(before, (await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}")).ReadingCount);
    }

    [Fact]
    public async Task Another_content_type_is_a_415()
    {
        var response = await Http.PostAsync(Path, new StringContent("sensorId,timestamp,pm25\n", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Without_the_ingest_api_key_an_import_is_a_401()
    {
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", api.Token(IocTwin.Api.Access.TwinRoles.Ioc));

        var response = await client.PostAsync(Path, Csv("sensorId,timestamp,pm25\n"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
