using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.App;

/// <summary>python.tool jobs through the whole app: created at the Api, run by the worker, read through the web.</summary>
[Collection(AppCollection.Name)]
public sealed class PythonToolJobTests(AppFixture app)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task A_tool_that_succeeds_has_its_output_and_a_complete_log()
    {
        var created = await app.Api.CreateTool(_project, "hello", new { name = "Ada", count = 2 });
        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);

        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal("Hello, Ada!", job.Output!.Value.GetProperty("greeting").GetString());
        Assert.Null(job.Error);
        Assert.Equal(0, job.Counts.Error);
        Assert.NotNull(job.DurationMs);

        var entries = await WebLog(job);
        var messages = entries.Select(e => e.Str("msg")!).ToList();
        Assert.StartsWith("Job created: python.tool", messages[0]);
        Assert.Contains(messages, m => m.StartsWith("Attempt 1 claimed by worker"));
        Assert.Contains(messages, m => m.StartsWith("Attempt 1 of python.tool started"));
        var call = Assert.Single(entries, e => e.Str("msg")!.StartsWith("Tool hello exited with code 0"));
        Assert.Equal("tool hello", call.GetProperty("data").GetProperty("call").Str("target"));
        Assert.Equal(0, call.GetProperty("data").GetProperty("exitCode").GetInt32());
        Assert.Contains(messages, m => m.StartsWith("Job succeeded in"));
        Assert.Contains(messages, m => m == "Attempt 1 reported succeeded");
        var trace = job.Attempts.Single().TraceId;
        Assert.All(entries.Where(e => e.GetProperty("attempt").GetInt32() == 1), e => Assert.Equal(trace, e.Str("traceId")));
    }

    [Fact]
    public async Task A_file_a_tool_writes_into_its_output_dir_becomes_the_jobs_asset()
    {
        var created = await app.Api.CreateTool(_project, "hello", new { name = "Ada", count = 2, file = true });
        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);

        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal("Hello, Ada!", job.Output!.Value.GetProperty("greeting").GetString());
        var asset = Assert.Single(job.Output.Value.GetProperty("assets").EnumerateArray());
        Assert.Equal($"projects/{_project}/files/assets/{job.Id}/greeting.txt", asset.Str("path"));
        Assert.Equal("text/plain", asset.Str("contentType"));
        Assert.Equal(24, asset.GetProperty("bytes").GetInt64());
        Assert.Equal("Hello, Ada!\nHello, Ada!\n", await app.Api.GetStringAsync($"/api/projects/{_project}/jobs/{job.Id}/assets/greeting.txt"));
        // The worker's own copy was only on its way to the Api.
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), "joblogs-worker", "outputs", _project, $"{job.Id}-1")));
    }

    [Fact]
    public async Task A_tool_that_raises_fails_with_a_card_its_stack_and_its_stderr_tail()
    {
        var created = await app.Api.CreateTool(_project, "fail", new { value = "seven" });
        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        var card = job.Error!;
        Assert.Equal("ValueError", card.Type);
        Assert.Equal("python", card.Component);
        Assert.Equal("tool", card.Stage);
        Assert.Equal("fail.py:11", card.Where);
        Assert.Contains("invalid literal for int() with base 10: 'seven'", card.Message);
        Assert.Equal("python-exception", card.Rule);
        Assert.Equal(created.Id, card.Ids!.JobId);
        Assert.True(job.Counts.Error >= 1);

        var log = await WebLogWithOffsets(job);
        var (offset, call) = Assert.Single(log, e => e.Entry.Str("msg")!.StartsWith("Tool fail exited with code 1"));
        Assert.Equal("error", call.Str("level"));
        var stderr = call.GetProperty("data").Str("stderrTail")!;
        Assert.Contains("Traceback (most recent call last):", stderr);
        Assert.Contains("in parse_value", stderr);
        Assert.Contains("ValueError: invalid literal for int() with base 10: 'seven'", stderr);
        Assert.Equal(offset, card.LogOffset); // the attempt's first error entry
    }

    [Fact]
    public async Task Entries_a_tool_writes_with_the_helper_module_are_in_its_job_log_as_python()
    {
        var created = await app.Api.CreateTool(_project, "structured", new { items = 2 });
        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
        Assert.Equal(JobStatus.Succeeded, job.Status);

        var entries = await WebLog(job);
        var python = entries.Where(e => e.Str("component") == "python").ToList();
        Assert.Equal(["processed item 1 of 2", "processed item 2 of 2", "one item had no alpha channel", "literal braces stay: {not a placeholder}"],
            python.Select(e => e.Str("msg")));
        Assert.Equal(["info", "info", "warn", "info"], python.Select(e => e.Str("level")));
        var data = python[1].GetProperty("data");
        Assert.Equal(2, data.GetProperty("item").GetInt32());
        Assert.Equal(64, data.GetProperty("size").GetProperty("width").GetInt32());
        Assert.Equal(entries.Single(e => e.Str("msg")!.StartsWith("Attempt 1 of python.tool started")).Str("traceId"), python[0].Str("traceId"));
        Assert.Equal(1, job.Counts.Warn);
        Assert.Equal(4, Assert.Single(entries, e => e.Str("msg")!.StartsWith("Tool structured exited with code 0")).GetProperty("data").GetProperty("logEntries").GetInt32());
    }

    [Fact]
    public async Task A_tool_that_writes_a_lot_keeps_only_a_bounded_tail()
    {
        var created = await app.Api.CreateTool(_project, "chatty", new { lines = 50_000 });
        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal(50_000, job.Output!.Value.GetProperty("lines").GetInt32());
        Assert.True(new FileInfo(Path.Combine(app.DataRoot.Path, job.LogPath)).Length < 64 * 1024, "The log holds tails, not the whole output.");
        var call = Assert.Single(await WebLog(job), e => e.Str("msg")!.StartsWith("Tool chatty exited"));
        Assert.True(call.GetProperty("data").GetProperty("stdoutBytes").GetInt64() > 1_000_000);
    }

    [Fact]
    public async Task The_web_forwards_logs_and_jobs_but_never_the_worker_routes()
    {
        using var claim = await app.Web.PostAsync("/api/worker/claims", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, claim.StatusCode);
        var system = await app.Web.Tail("/api/system/logs/worker?tailBytes=80000");
        Assert.Contains(system.GetProperty("entries").EnumerateArray(), e => e.GetProperty("entry").Str("msg")!.Contains("claims up to"));
    }

    private async Task<List<JsonElement>> WebLog(Job job) => [.. (await WebLogWithOffsets(job)).Select(e => e.Entry)];

    /// <summary>The job's log read through the web's forward; every entry valid against the job log schema.</summary>
    private async Task<List<(long Offset, JsonElement Entry)>> WebLogWithOffsets(Job job)
    {
        var tail = await app.Web.Tail($"/api/projects/{job.ProjectId}/jobs/{job.Id}/log?tailBytes=80000");
        var items = tail.GetProperty("entries").EnumerateArray().ToList();
        Assert.All(items, e => Assert.False(e.TryGetProperty("malformed", out _), $"Malformed line: {e}"));
        var entries = items.Select(e => (e.GetProperty("offset").GetInt64(), e.GetProperty("entry"))).ToList();
        Assert.All(entries, e => JsonLines.AssertValid(Schemas.JobLogEntry, e.Item2));
        Assert.All(entries, e => Assert.Equal(job.Id, e.Item2.Str("jobId")));
        return entries;
    }
}
