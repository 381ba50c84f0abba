using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using JobLogs.Workers;

namespace JobLogs.Tests.Api;

/// <summary>
/// Log shipping (DESIGN.md, Past one machine): a worker's numbered lines stored once each, in order, under its lease
/// token; gaps, foreign ids and unknown tokens refused; late lines kept after one marker; reports that wait for their log.
/// </summary>
public sealed class LogShippingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    private async Task<Claim> Claimed(string workerId = "worker-ship")
    {
        var job = await _http.CreateTool(_project, "hello");
        return await _http.ClaimJob(workerId, job.Id);
    }

    private static string Line(Claim claim, long seq, string level = "info", string? jobId = null, int? attempt = null) =>
        JsonSerializer.Serialize(new
        {
            ts = DateTimeOffset.UtcNow, level, component = "worker", projectId = claim.Job.ProjectId, jobId = jobId ?? claim.Job.Id,
            attempt = attempt ?? claim.Attempt, seq, msg = $"Line {seq} of the worker", data = new { seq },
        }) + "\n";

    private static string Lines(Claim claim, long from, long to) =>
        string.Concat(Enumerable.Range((int)from, (int)(to - from + 1)).Select(s => Line(claim, s)));

    private static Task<HttpResponseMessage> Ship(HttpClient http, Claim claim, string body, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, WorkerRoutes.Log(claim.Job.ProjectId, claim.Job.Id))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson"),
        };
        request.Headers.Add(WorkerProtocol.LeaseTokenHeader, token ?? claim.LeaseToken);
        return http.SendAsync(request);
    }

    private Task<HttpResponseMessage> Ship(Claim claim, string body, string? token = null) => Ship(_http, claim, body, token);

    private static async Task<long> Answered(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<LogBatchAnswer>(Json.Options))!.Seq;
    }

    private static async Task<long> ExpectedSeq(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty(WorkerProtocol.ExpectedSeq).GetInt64();
    }

    /// <summary>The job log's entries through the tail API, each with its offset.</summary>
    private async Task<List<(long Offset, JsonElement Entry)>> Log(Claim claim)
    {
        var tail = await _http.Tail($"/api/projects/{claim.Job.ProjectId}/jobs/{claim.Job.Id}/log?tailBytes=1048576");
        return [.. tail.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("offset").GetInt64(), e.GetProperty("entry")))];
    }

    private async Task<List<long>> Seqs(Claim claim) =>
        [.. (await Log(claim)).Where(e => e.Entry.TryGetProperty("seq", out _)).Select(e => e.Entry.GetProperty("seq").GetInt64())];

    private Task<HttpResponseMessage> Report(Claim claim, long? lastSeq, JobStatus status = JobStatus.Succeeded, FailureCard? card = null) =>
        _http.PostAsJsonAsync(WorkerRoutes.Report(claim.Job.ProjectId, claim.Job.Id),
            new Report(claim.LeaseToken, status, status == JobStatus.Succeeded ? JsonSerializer.SerializeToElement(new { done = true }) : null,
                card, Counts: new LogCounts(7, 7), LastSeq: lastSeq), Json.Options);

    [Fact]
    public async Task A_batch_is_stored_and_read_through_the_tail_and_the_same_batch_again_changes_nothing()
    {
        var claim = await Claimed();
        await using var lease = _http.KeepLease(claim);
        using (var first = await Ship(claim, Lines(claim, 1, 3)))
            Assert.Equal(3, await Answered(first));
        using (var again = await Ship(claim, Lines(claim, 1, 3)))
            Assert.Equal(3, await Answered(again));
        using (var overlapping = await Ship(claim, Lines(claim, 2, 5)))
            Assert.Equal(5, await Answered(overlapping));

        Assert.Equal([1, 2, 3, 4, 5], await Seqs(claim));
        var shipped = (await Log(claim)).Where(e => e.Entry.TryGetProperty("seq", out _)).ToList();
        Assert.All(shipped, e => Assert.Equal("worker", e.Entry.Str("component")));
        Assert.Equal("Line 4 of the worker", shipped[3].Entry.Str("msg"));
    }

    [Fact]
    public async Task A_batch_that_leaves_a_gap_is_a_409_naming_the_seq_expected()
    {
        var claim = await Claimed();
        await using var lease = _http.KeepLease(claim);
        using (var gap = await Ship(claim, Lines(claim, 2, 3)))
            Assert.Equal(1, await ExpectedSeq(gap));
        using (await Ship(claim, Lines(claim, 1, 2))) { }
        using (var gap = await Ship(claim, Lines(claim, 4, 6)))
        {
            Assert.Equal(3, await ExpectedSeq(gap));
        }
        Assert.Equal([1, 2], await Seqs(claim));
    }

    [Fact]
    public async Task Lines_of_another_job_or_without_seqs_are_a_400_naming_the_line_and_nothing_is_stored()
    {
        var claim = await Claimed();
        await using var lease = _http.KeepLease(claim);
        var other = await _http.CreateTool(_project, "hello");
        foreach (var (body, said) in new[]
        {
            (Line(claim, 1) + Line(claim, 2, jobId: other.Id), "Line 2"),
            (Line(claim, 1) + Line(claim, 2, attempt: claim.Attempt + 1), "Line 2"),
            (Line(claim, 1) + Line(claim, 3), "seq 3"),
            (Line(claim, 1).Replace("\"seq\":1,", ""), "no seq"),
            (Line(claim, 1) + "{ not json\n", "Line 2"),
            (Line(claim, 1) + "[1,2]\n", "Line 2"),
            (Line(claim, 1).TrimEnd('\n'), "newline"),
            ("", "no lines"),
        })
            using (var refused = await Ship(claim, body))
                Assert.Contains(said, await ApiCalls.AssertProblem(refused, HttpStatusCode.BadRequest));
        Assert.Empty(await Seqs(claim));

        using var huge = await Ship(claim, Line(claim, 1) + new string(' ', 4 * 1024 * 1024) + "\n");
        Assert.Contains("4 MiB", await ApiCalls.AssertProblem(huge, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task A_token_of_no_attempt_is_a_409_and_a_missing_one_a_400_and_an_unknown_job_a_404()
    {
        var claim = await Claimed();
        await using var lease = _http.KeepLease(claim);
        using (var stranger = await Ship(claim, Line(claim, 1), token: "0000000000000000000000000000ffff"))
        {
            var text = await stranger.Content.ReadAsStringAsync();
            Assert.Contains("no attempt", await ApiCalls.AssertProblem(stranger, HttpStatusCode.Conflict));
            Assert.False(JsonDocument.Parse(text).RootElement.TryGetProperty(WorkerProtocol.ExpectedSeq, out _));
        }
        using (var missing = await Ship(claim, Line(claim, 1), token: ""))
            Assert.Contains(WorkerProtocol.LeaseTokenHeader, await ApiCalls.AssertProblem(missing, HttpStatusCode.BadRequest));
        var unknown = claim with { Job = claim.Job with { Id = "20260101-000000-00000000" } };
        using (var nobody = await Ship(unknown, Line(claim, 1)))
            await ApiCalls.AssertProblem(nobody, HttpStatusCode.NotFound);
        Assert.Empty(await Seqs(claim));
    }

    [Fact]
    public async Task Lines_after_the_attempt_ended_are_stored_after_one_marker_and_change_nothing()
    {
        var claim = await Claimed("worker-late");
        using (var shipped = await Ship(claim, Lines(claim, 1, 2)))
            Assert.Equal(2, await Answered(shipped));
        using (var report = await Report(claim, lastSeq: 2))
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var ended = (await _http.GetJob(_project, claim.Job.Id))!;

        using (var late = await Ship(claim, Lines(claim, 3, 4)))
            Assert.Equal(4, await Answered(late));
        using (var later = await Ship(claim, Lines(claim, 5, 5)))
            Assert.Equal(5, await Answered(later));

        var log = await Log(claim);
        var markers = log.Where(e => e.Entry.Str("msg")!.StartsWith("Late entries")).ToList();
        var marker = Assert.Single(markers);
        Assert.Equal("warn", marker.Entry.Str("level"));
        Assert.Contains("worker-late", marker.Entry.Str("msg"));
        Assert.Contains("(succeeded)", marker.Entry.Str("msg"));
        var seq3 = log.Single(e => e.Entry.TryGetProperty("seq", out var s) && s.GetInt64() == 3);
        Assert.True(marker.Offset < seq3.Offset, "The marker comes before the late lines.");
        Assert.Equal([1, 2, 3, 4, 5], await Seqs(claim));
        var after = (await _http.GetJob(_project, claim.Job.Id))!;
        Assert.Equal(JobStatus.Succeeded, after.Status);
        Assert.Equal(ended.Counts, after.Counts);
    }

    [Fact]
    public async Task A_report_ahead_of_its_log_is_a_409_then_its_counts_and_offset_come_from_the_stored_lines()
    {
        var claim = await Claimed();
        await using (var lease = _http.KeepLease(claim))
        {
            using (await Ship(claim, Line(claim, 1))) { }
            using (var ahead = await Report(claim, lastSeq: 3))
            {
                Assert.Equal(2, await ExpectedSeq(ahead));
            }
            Assert.Equal(JobStatus.Running, (await _http.GetJob(_project, claim.Job.Id))!.Status);
            using (var rest = await Ship(claim, Line(claim, 2, "error") + Line(claim, 3, "warn")))
                Assert.Equal(3, await Answered(rest));
        }
        var card = new FailureCard { Message = "The tool failed.", Type = "tool error", Component = "python", Stage = "run", Where = "tool hello", Hint = "Look at its log." };
        using var report = await Report(claim, lastSeq: 3, JobStatus.Failed, card);
        Assert.True(report.StatusCode == HttpStatusCode.OK, await report.Content.ReadAsStringAsync());
        var job = (await report.Content.ReadFromJsonAsync<Job>(Json.Options))!;
        Assert.Equal(new LogCounts(1, 1), job.Counts);
        var error = (await Log(claim)).Single(e => e.Entry.TryGetProperty("seq", out var s) && s.GetInt64() == 2);
        Assert.Equal(error.Offset, job.Error!.LogOffset);
    }

    [Fact]
    public async Task Without_the_protocol_header_a_worker_route_is_a_400_that_says_to_upgrade()
    {
        var claim = await Claimed();
        using var bare = new HttpClient { BaseAddress = api.Address };
        using (var old = await bare.PostAsJsonAsync(WorkerRoutes.Claims, new ClaimRequest("worker-v1"), Json.Options))
            Assert.Contains("upgrade the worker", await ApiCalls.AssertProblem(old, HttpStatusCode.BadRequest));
        using (var old = await Ship(bare, claim, Line(claim, 1)))
            Assert.Contains("this Api speaks protocol 2", await ApiCalls.AssertProblem(old, HttpStatusCode.BadRequest));
        bare.DefaultRequestHeaders.Add(WorkerProtocol.VersionHeader, "1");
        using (var v1 = await bare.PostAsJsonAsync(WorkerRoutes.Claims, new ClaimRequest("worker-v1"), Json.Options))
            Assert.Equal("This worker speaks protocol 1; this Api speaks protocol 2: upgrade the worker.", await ApiCalls.AssertProblem(v1, HttpStatusCode.BadRequest));
    }

    /// <summary>An Api started again over the same data root.</summary>
    private sealed class RestartedApi(string dataRoot) : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["JobLogs:DataRoot"] = dataRoot };
    }

    [Fact]
    public async Task After_a_restart_the_highest_seq_held_is_read_back_from_the_stored_log()
    {
        var claim = await Claimed();
        using (var shipped = await Ship(claim, Lines(claim, 1, 3)))
            Assert.Equal(3, await Answered(shipped));

        await using var restarted = new RestartedApi(api.DataRoot.Path);
        using var http = restarted.CreateClient();
        using (var gap = await Ship(http, claim, Lines(claim, 5, 5)))
            Assert.Equal(4, await ExpectedSeq(gap));
        using (var resent = await Ship(http, claim, Lines(claim, 2, 4)))
            Assert.Equal(4, await Answered(resent));
        Assert.Equal([1, 2, 3, 4], await Seqs(claim));
    }
}
