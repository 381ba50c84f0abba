using System.Text;
using System.Text.Json;
using JobLogs.Tests.Support;
using JobLogs.Workers;

namespace JobLogs.Tests.Api;

/// <summary>
/// Lines the Api stores wake the streams that follow their log at once: here streams poll only every 10 seconds, and a
/// shipped batch still reaches its stream within a fraction of that. Lines other processes append are found by the poll
/// (LogStreamTests follows a writer in another process).
/// </summary>
public sealed class LogStreamWakeTests(LogStreamWakeTests.SlowPollApi api) : IClassFixture<LogStreamWakeTests.SlowPollApi>
{
    public sealed class SlowPollApi : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["JobLogs:LogStreams:PollInterval"] = "00:00:10",
        };
    }

    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    [Fact]
    public async Task A_shipped_batch_reaches_a_waiting_stream_at_once_not_at_its_next_poll()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await _http.ClaimJob("worker-wake", job.Id);
        await using var lease = _http.KeepLease(claim);
        await using var stream = await SseEvents.OpenAsync(_http, $"/api/projects/{_project}/jobs/{job.Id}/log/stream");
        Assert.Equal("ready", (await stream.NextAsync())!.Value.EventType);
        await Task.Delay(300); // the stream is past its first look and waiting

        var lines = string.Concat(Enumerable.Range(1, 3).Select(seq => JsonSerializer.Serialize(new
        {
            ts = DateTimeOffset.UtcNow, level = "info", component = "worker", projectId = _project, jobId = job.Id,
            attempt = claim.Attempt, seq, msg = $"Line {seq} of the worker",
        }) + "\n"));
        using var ship = new HttpRequestMessage(HttpMethod.Post, WorkerRoutes.Log(_project, job.Id))
        {
            Content = new StringContent(lines, Encoding.UTF8, "application/x-ndjson"),
        };
        ship.Headers.Add(WorkerProtocol.LeaseTokenHeader, claim.LeaseToken);
        (await _http.SendAsync(ship)).EnsureSuccessStatusCode();

        var seqs = new List<long>();
        while (seqs.Count < 3)
        {
            var entry = (await stream.NextOfAsync("entry", TimeSpan.FromSeconds(5)))!.Value; // the poll would take 10 s
            if (JsonDocument.Parse(entry.Data).RootElement.GetProperty("entry").TryGetProperty("seq", out var seq))
                seqs.Add(seq.GetInt64());
        }
        Assert.Equal([1L, 2L, 3L], seqs);
    }
}
