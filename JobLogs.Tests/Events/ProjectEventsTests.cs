using System.Net;
using System.Net.Http.Json;
using JobLogs.Events;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using JobLogs.Workers;

namespace JobLogs.Tests.Events;

/// <summary>
/// A project's events.jsonl through the real Api (leases of 2 s): one event per job transition wherever it happens,
/// none for a repeated report, read back by offset.
/// </summary>
public sealed class ProjectEventsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    private async Task<ProjectEventPage> Events(string query = "")
    {
        using var response = await _http.GetAsync($"/api/projects/{_project}/events{query}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ProjectEventPage>(Json.Options))!;
    }

    private async Task<List<ProjectEvent>> EventsOf(string jobId) =>
        [.. (await Events()).Entries.Select(e => e.Event!).Where(e => e.JobId == jobId)];

    private static FailureCard Card => new()
    {
        Message = "Tool fail.py exited with code 1", Type = "ValueError", Component = "python", Stage = "tool",
        Where = "fail.py:12", Hint = "Fix the input.", Rule = "python-value-error",
    };

    [Fact]
    public async Task Each_transition_of_a_job_is_one_event_and_a_repeated_report_writes_none()
    {
        var job = await _http.CreateTool(_project, "hello");
        var claim = await _http.ClaimJob("worker-a", job.Id);
        await _http.ReportJob(claim);
        await _http.ReportJob(claim); // the worker did not hear the first answer

        var events = await EventsOf(job.Id);
        Assert.Equal([ProjectEventTypes.JobCreated, ProjectEventTypes.JobStarted, ProjectEventTypes.JobSucceeded], events.Select(e => e.Type));
        Assert.Equal(JobTypes.PythonTool, events[0].Data?.JobType);
        Assert.Equal("worker-a", events[1].Data?.WorkerId);
        Assert.All(events[1..], e => Assert.Equal(1, e.Data?.Attempt));
        var record = (await _http.GetJob(_project, job.Id))!;
        Assert.Equal([record.CreatedAt, record.StartedAt!.Value, record.FinishedAt!.Value], events.Select(e => e.Ts));

        // What the Api wrote is what the schema says, line by line.
        Assert.All(JsonLines.Read(api.Layout.Events(_project)), line => JsonLines.AssertValid(Schemas.ProjectEvent, line));
    }

    [Fact]
    public async Task A_failed_report_carries_the_cards_summary_and_rule_once()
    {
        var job = await _http.CreateJob(_project, JobTypes.PythonTool, new { tool = "fail" }, specId: "spec-1", assetId: "hero");
        var claim = await _http.ClaimJob("worker-a", job.Id);
        await _http.ReportJob(claim, Card);
        await _http.ReportJob(claim, Card);

        var failed = Assert.Single(await EventsOf(job.Id), e => e.Type == ProjectEventTypes.JobFailed);
        Assert.Equal("Tool fail.py exited with code 1 (fail.py:12)", failed.Data?.Summary);
        Assert.Equal("python-value-error", failed.Data?.Rule);
        Assert.Equal(("spec-1", "hero"), (failed.SpecId, failed.AssetId));
    }

    [Fact]
    public async Task Cancelling_a_queued_job_and_losing_a_worker_end_the_job_with_one_event_each()
    {
        var queued = await _http.CreateTool(_project, "hello");
        using (await _http.PostAsJsonAsync($"/api/projects/{_project}/jobs/{queued.Id}/cancel", new JobControlRequest("alice")))
        { }
        var canceled = Assert.Single(await EventsOf(queued.Id), e => e.Type == ProjectEventTypes.JobCanceled);
        Assert.Equal("The job was cancelled before a worker started it.", canceled.Data?.Summary);

        var lost = await _http.CreateTool(_project, "hello");
        await _http.ClaimJob("worker-gone", lost.Id); // and never heard of again: the lease sweeper ends the attempt
        await _http.WaitForStatus(_project, lost.Id, s => s == JobStatus.Failed, TimeSpan.FromSeconds(15));
        var failed = Assert.Single(await EventsOf(lost.Id), e => e.Type == ProjectEventTypes.JobFailed);
        Assert.Equal("worker-lost", failed.Data?.Rule);
        Assert.Contains("worker-gone", failed.Data?.Summary);
    }

    [Fact]
    public async Task Events_are_read_by_offset_forward_and_backward_a_limit_at_a_time()
    {
        for (var i = 0; i < 5; i++)
            await _http.CreateTool(_project, "hello");

        var newest = await Events("?limit=2");
        Assert.Equal(2, newest.Entries.Count);
        Assert.True(newest.Truncated);
        Assert.Equal(newest.Size, newest.End);
        var older = await Events($"?before={newest.Start}&limit=10");
        Assert.Equal(3, older.Entries.Count);
        Assert.Equal((0, false), (older.Start, older.Truncated));
        Assert.Equal(newest.Start, older.End);

        var first = await Events("?after=0&limit=3");
        Assert.Equal(older.Entries.Select(e => e.Offset), first.Entries.Select(e => e.Offset));
        var rest = await Events($"?after={first.End}");
        Assert.Equal(newest.Entries.Select(e => e.Offset), rest.Entries.Select(e => e.Offset));
        Assert.Empty((await Events($"?after={rest.End}")).Entries);
        Assert.All(rest.Entries, e => Assert.Equal(ProjectEventTypes.JobCreated, e.Event?.Type));
    }

    [Fact]
    public async Task An_unknown_project_has_no_events_and_bad_queries_are_refused()
    {
        var unknown = await Events();
        Assert.Equal((0, 0, 0), (unknown.Start, unknown.End, unknown.Size));
        Assert.Empty(unknown.Entries);

        foreach (var (query, field) in new[]
        {
            ("limit=0", "limit"), ("limit=501", "limit"), ("limit=ten", "limit"), ("after=-1", "after"), ("after=x", "after"),
            ("before=1.5", "before"), ("after=0&before=0", "before"), ("after=7", "after"), ("since=0", "since"), ("limit=1&limit=2", "limit"),
        })
        {
            using var response = await _http.GetAsync($"/api/projects/{_project}/events?{query}");
            var detail = await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest);
            Assert.Contains(field, detail);
        }
        using var badId = await _http.GetAsync("/api/projects/..%2fx/events");
        await ApiCalls.AssertProblem(badId, HttpStatusCode.BadRequest);
    }
}
