using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Retention;

/// <summary>The Api rotates the service logs by size, keeping N files, on demand through its admin route.</summary>
public sealed class RuntimeLogRotationApiTests(RuntimeLogRotationApiTests.SmallLogsApi api) : IClassFixture<RuntimeLogRotationApiTests.SmallLogsApi>
{
    public sealed class SmallLogsApi : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["JobLogs:Retention:RuntimeLogMaxBytes"] = "4096",
            ["JobLogs:Retention:RuntimeLogFiles"] = "2",
            ["JobLogs:Retention:Interval"] = "1.00:00:00",
        };
    }

    private readonly HttpClient _http = api.CreateClient();

    private async Task Grow(string marker)
    {
        // Each refused request writes one warn line to backend.jsonl.
        var log = api.Layout.RuntimeLog("backend");
        await Eventually.True(async () =>
        {
            using var _ = await _http.GetAsync($"/api/projects/{marker}/jobs?take=0");
            return File.Exists(log) && new FileInfo(log).Length > 4096 && (await File.ReadAllTextAsync(log)).Contains(marker);
        }, TimeSpan.FromSeconds(20), "the backend log to grow past 4096 bytes");
    }

    private async Task<int> Rotate()
    {
        using var response = await _http.PostAsync("/api/admin/retention", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rotatedLogs").GetInt32();
    }

    [Fact]
    public async Task Service_logs_rotate_by_size_keep_N_files_and_lose_no_line()
    {
        var dir = api.Layout.RuntimeLogsDirectory;
        for (var round = 0; round < 3; round++)
        {
            await Grow($"round-{round}");
            Assert.True(await Rotate() >= 1);
        }
        var rotated = Directory.GetFiles(dir, "backend.*.jsonl").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(2, rotated.Count);
        Assert.Contains("round-2", await File.ReadAllTextAsync(Path.Combine(dir, rotated[^1]!)));

        // The writer reopens the current file by path: new lines land in backend.jsonl again.
        await Eventually.True(async () =>
        {
            using var _ = await _http.GetAsync("/api/projects/after-rotation/jobs?take=0");
            var current = api.Layout.RuntimeLog("backend");
            return File.Exists(current) && (await File.ReadAllTextAsync(current)).Contains("after-rotation");
        }, TimeSpan.FromSeconds(10), "new lines in the current backend log");
        foreach (var file in Directory.GetFiles(dir, "backend*.jsonl"))
            Assert.All(JsonLines.Read(file), e => JsonLines.AssertValid(Schemas.LogEntry, e));
    }
}
