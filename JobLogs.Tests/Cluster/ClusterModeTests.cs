using System.Net.Http.Headers;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Cluster;

/// <summary>
/// Cluster mode as processes (DESIGN.md, Past one machine): two Api replicas with no data root on one PostgreSQL, a
/// worker shipping to the first. Jobs succeed and fail with the cards and logs of files mode, read through the API; the
/// other replica answers the same job, the same tail and the same JSONL bytes; a line the first stores reaches a
/// stream on the second.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class ClusterModeTests
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);
    private readonly string _project = AppFixture.NewProjectId();

    private static async Task<Dictionary<string, string?>> ClusterSettings() => new()
    {
        ["JobLogs:DataRoot"] = null,
        ["ConnectionStrings:joblogs"] = await (await PostgresServer.Instance).CreateDatabaseAsync("cluster"),
    };

    private static async Task<byte[]> Jsonl(HttpClient http, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static List<JsonElement> Entries(byte[] jsonl) =>
        [.. System.Text.Encoding.UTF8.GetString(jsonl).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [Fact]
    public async Task Two_replicas_on_one_database_run_jobs_to_success_and_failure_and_answer_the_same_bytes()
    {
        var settings = await ClusterSettings();
        await using var services = await ServiceGroup.StartAsync(settings);
        await using var second = await ServiceProcess.StartAsync(ServiceProcess.Api, services.WorkerDisk.Path, settings);
        using var other = second.Client();
        await services.StartWorkerAsync("w-cluster");

        var hello = await services.Http.CreateTool(_project, "hello", new { name = "Ada" });
        var failing = await other.CreateTool(_project, "fail", new { });
        var succeeded = await services.Http.WaitForStatus(_project, hello.Id, s => s.IsFinished(), JobTimeout);
        var failed = await other.WaitForStatus(_project, failing.Id, s => s.IsFinished(), JobTimeout);

        Assert.True(succeeded.Status == JobStatus.Succeeded, succeeded.Error?.Summary);
        Assert.Equal("Hello, Ada!", succeeded.Output!.Value.GetProperty("greeting").GetString());
        Assert.Equal(JobStatus.Failed, failed.Status);
        var card = failed.Error!;
        Assert.NotNull(card.LogOffset);

        foreach (var job in new[] { succeeded, failed })
        {
            var path = $"/api/projects/{_project}/jobs/{job.Id}/log?tailBytes=1000000";
            var first = await Jsonl(services.Http, path);
            Assert.Equal(first, await Jsonl(other, path));
            Assert.Equal(await services.Http.GetStringAsync(path), await other.GetStringAsync(path));
            var entries = Entries(first);
            Assert.All(entries, e => Assert.Equal(job.Id, e.Str("jobId")));
            Assert.Single(entries, e => e.Str("msg")!.StartsWith(job.Status == JobStatus.Succeeded ? "Job succeeded" : "Job failed"));
            var seqs = entries.Where(e => e.TryGetProperty("seq", out _)).Select(e => e.GetProperty("seq").GetInt64()).ToList();
            Assert.Equal(Enumerable.Range(1, seqs.Count).Select(n => (long)n), seqs);
        }
        // The card points at its error entry, by the byte offset both replicas give.
        var tail = await other.Tail($"/api/projects/{_project}/jobs/{failed.Id}/log?tailBytes=1000000");
        var pointed = tail.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("offset").GetInt64() == card.LogOffset);
        Assert.Equal("error", pointed.GetProperty("entry").Str("level"));
        Assert.Equal((await services.Http.GetStringAsync($"/api/projects/{_project}/jobs")), await other.GetStringAsync($"/api/projects/{_project}/jobs"));
    }

    [Fact]
    public async Task A_lost_workers_attempt_is_ended_once_by_one_replica_with_one_worker_lost_entry()
    {
        var settings = await ClusterSettings();
        await using var services = await ServiceGroup.StartAsync(settings);
        await using var second = await ServiceProcess.StartAsync(ServiceProcess.Api, services.WorkerDisk.Path, settings);
        var worker = await services.StartWorkerAsync("w-lost");
        var job = await services.Http.CreateTool(_project, "slow", new { seconds = 60, tick = 0.05 });
        await services.Http.WaitForStatus(_project, job.Id, s => s == JobStatus.Running, JobTimeout);

        worker.Kill();
        using var other = second.Client();
        var lost = await other.WaitForStatus(_project, job.Id, s => s.IsFinished(), JobTimeout);

        Assert.Equal(("worker lost", "worker-lost"), (lost.Error?.Type, lost.Error?.Rule));
        var entries = Entries(await Jsonl(services.Http, $"/api/projects/{_project}/jobs/{job.Id}/log?tailBytes=1000000"));
        var ended = Assert.Single(entries, e => e.Str("msg")!.Contains("stopped renewing its lease"));
        Assert.Equal("error", ended.Str("level"));
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_at_start_stops_the_Api_with_one_sentence_that_names_no_password()
    {
        using var disk = new TempDirectory("unreachable");
        var port = FreePort.Next();
        await using var api = ServiceProcess.Start(ServiceProcess.Api, new Dictionary<string, string?>
        {
            ["ConnectionStrings:joblogs"] = $"Host=127.0.0.1;Port={port};Username=joblogs;Password=never-shown-pass;Database=jobs;Timeout=3",
        }, disk.Path);

        Assert.Equal(1, await api.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var line = Assert.Single(api.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"JobLogs.Api cannot start: cannot use ConnectionStrings:joblogs (PostgreSQL database jobs on 127.0.0.1:{port}): ", line);
        Assert.DoesNotContain("never-shown-pass", line);
    }

    [Fact]
    public async Task A_database_gone_mid_run_is_a_503_the_client_may_retry_never_a_500_and_names_no_credential()
    {
        var connection = await (await PostgresServer.Instance).CreateDatabaseAsync("gone");
        using var disk = new TempDirectory("gone");
        await using var api = await ServiceProcess.StartAsync(ServiceProcess.Api, disk.Path,
            new Dictionary<string, string?> { ["JobLogs:DataRoot"] = null, ["ConnectionStrings:joblogs"] = connection });
        using var http = api.Client();
        var job = await http.CreateTool(_project, "hello");

        // The database goes away under the running Api (dropped, its connections ended: as a server that stopped).
        await using (var admin = new Npgsql.NpgsqlConnection((await PostgresServer.Instance).ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            var name = new Npgsql.NpgsqlConnectionStringBuilder(connection).Database;
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE \"{name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        foreach (var path in new[] { $"/api/projects/{_project}/jobs/{job.Id}", $"/api/projects/{_project}/jobs", $"/api/projects/{_project}/jobs/{job.Id}/log" })
        {
            using var response = await http.GetAsync(path);
            Assert.Contains("The Api's database is not answering", await ApiCalls.AssertProblem(response, System.Net.HttpStatusCode.ServiceUnavailable));
            Assert.Equal("5", response.Headers.RetryAfter?.ToString());
        }
        Assert.False(api.HasExited, "The Api runs on while its database is away.");
    }

    [Fact]
    public async Task A_running_jobs_lines_stored_by_one_replica_reach_a_stream_on_the_other()
    {
        var settings = await ClusterSettings();
        await using var services = await ServiceGroup.StartAsync(settings);
        await using var second = await ServiceProcess.StartAsync(ServiceProcess.Api, services.WorkerDisk.Path, settings);
        await services.StartWorkerAsync("w-stream");
        var job = await services.Http.CreateTool(_project, "slow", new { seconds = 4, tick = 0.05 });
        await services.Http.WaitForStatus(_project, job.Id, s => s != JobStatus.Queued, JobTimeout);

        using var http = second.Client();
        await using var stream = await SseEvents.OpenAsync(http, $"/api/projects/{_project}/jobs/{job.Id}/log/stream");
        var ticks = new List<int>();
        while (await stream.NextAsync(TimeSpan.FromSeconds(30)) is { } e && e.EventType != "end")
            if (e.EventType == "entry" && JsonDocument.Parse(e.Data).RootElement.GetProperty("entry").DataInt("tick") is { } tick)
                ticks.Add(tick);
        Assert.True(ticks.Count >= 20, $"{ticks.Count} ticks reached the other replica's stream");
        Assert.Equal(Enumerable.Range(ticks[0], ticks.Count), ticks);
    }
}
