using System.Text.Json;
using JobLogs.Api.Jobs;
using JobLogs.Api.Store;
using JobLogs.Events;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Store;

/// <summary>
/// What every job store does, tested through <see cref="IJobStore"/> alone: each implementation's fixture derives from
/// this class and runs these very tests.
/// </summary>
public abstract class JobStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private protected IJobStore Store { get; private set; } = null!;

    /// <summary>A store over empty storage of its own.</summary>
    private protected abstract Task<IJobStore> CreateAsync();

    /// <summary>A second store over the same storage, as an Api started again would open it.</summary>
    private protected abstract Task<IJobStore> ReopenAsync();

    /// <summary>The log store the stores' project events are appended to.</summary>
    private protected abstract ILogStore EventLog { get; }

    public async Task InitializeAsync()
    {
        Store = await CreateAsync();
        await Store.OpenAsync();
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static string Project() => ApiFactory.NewProjectId();

    [Fact]
    public async Task A_job_added_is_found_by_its_ids_and_a_second_add_is_refused()
    {
        var job = StoredJobs.New(Project(), T0, specId: "spec-1");
        await Store.AddAsync(job);

        var found = await Store.GetAsync(job.ProjectId, job.Id);
        Assert.Equal((job.Id, job.ProjectId, JobStatus.Queued, "spec-1"), (found!.Id, found.ProjectId, found.Status, found.SpecId));
        Assert.Null(await Store.GetAsync(job.ProjectId, "20260601-000000-00000000"));
        Assert.Null(await Store.GetAsync(Project(), job.Id));
        await Assert.ThrowsAsync<JobExistsException>(() => Store.AddAsync(job));
    }

    [Fact]
    public async Task A_record_comes_back_as_the_same_json_it_was_saved_as()
    {
        // What the Api serves of a record (its input above all) is the same whichever store holds it: key order,
        // numbers as written, every character, times to the tick.
        var job = StoredJobs.New(Project(), T0.AddTicks(1234567)) with
        {
            Input = JsonDocument.Parse("""{"tool":"hello","args":{"10":1.50,"9":1e2,"b":"é ✓","a":"nul \u0000 here"}}""").RootElement.Clone(),
        };
        await Store.AddAsync(job);

        var found = (await Store.GetAsync(job.ProjectId, job.Id))!;
        Assert.Equal(JsonSerializer.Serialize(job, Json.Options), JsonSerializer.Serialize(found, Json.Options));
    }

    [Fact]
    public async Task Each_saved_change_writes_the_event_it_tells_of_in_order_and_a_change_not_saved_writes_none()
    {
        var project = Project();
        var job = StoredJobs.New(project, T0);
        await Store.AddAsync(job);
        await Assert.ThrowsAsync<JobExistsException>(() => Store.AddAsync(job));
        var queued = (await Store.GetAsync(project, job.Id))!;
        var running = (await Store.ClaimAsync(null, j => j with { Status = JobStatus.Running, Attempt = 1, StartedAt = T0.AddSeconds(1) }))!;
        Assert.False(await Store.ReplaceAsync(queued, StoredJobs.Finished(queued, JobStatus.Canceled, T0.AddSeconds(2))));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.ReplaceAsync(running, running with { Type = "not a type" }));
        Assert.True(await Store.ReplaceAsync(running, StoredJobs.Finished(running, JobStatus.Failed, T0.AddMinutes(1))));

        using var events = await EventLog.OpenAsync(LogName.Events(project));
        using var window = await events.AfterAsync(0, 1 << 20);
        var written = window.Lines.Select(line => JsonSerializer.Deserialize<ProjectEvent>(window.Bytes(line), Json.Options)!).ToList();
        Assert.Equal(new[] { ProjectEventTypes.JobCreated, ProjectEventTypes.JobStarted, ProjectEventTypes.JobFailed }, written.Select(e => e.Type));
        Assert.All(written, e => Assert.Equal(job.Id, e.JobId));
    }

    [Fact]
    public async Task A_record_that_does_not_match_the_schema_is_refused_and_nothing_is_saved()
    {
        var job = StoredJobs.New(Project(), T0) with { Type = "not a type" };
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.AddAsync(job));
        Assert.Null(await Store.GetAsync(job.ProjectId, job.Id));
    }

    [Fact]
    public async Task A_change_is_saved_only_over_the_revision_it_was_made_from()
    {
        var job = StoredJobs.New(Project(), T0);
        await Store.AddAsync(job);
        var read = (await Store.GetAsync(job.ProjectId, job.Id))!;

        Assert.True(await Store.ReplaceAsync(read, read with { SpecId = "first" }));
        Assert.False(await Store.ReplaceAsync(read, read with { SpecId = "stale" }));

        var now = (await Store.GetAsync(job.ProjectId, job.Id))!;
        Assert.Equal("first", now.SpecId);
        Assert.True(now.Revision > read.Revision);
    }

    [Fact]
    public async Task Concurrent_updates_lose_nothing()
    {
        var job = StoredJobs.New(Project(), T0);
        await Store.AddAsync(job);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => Store.UpdateAsync(job.ProjectId, job.Id, current =>
            (current with { Requests = [.. current.Requests, new JobRequest(JobAction.Cancel, T0, i, new RequestOrigin($"user-{i}", null, null, null))] }, i)))));

        var requests = (await Store.GetAsync(job.ProjectId, job.Id))!.Requests;
        Assert.Equal(Enumerable.Range(0, 40), requests.Select(r => r.Attempt).Order());
    }

    [Fact]
    public async Task An_update_of_a_job_that_does_not_exist_finds_nothing()
    {
        var update = await Store.UpdateAsync(Project(), "20260601-000000-00000000", job => (job, "changed"));
        Assert.False(update.Found);
    }

    [Fact]
    public async Task A_project_lists_newest_first_a_page_at_a_time_with_its_total()
    {
        var project = Project();
        var jobs = Enumerable.Range(0, 7).Select(i => StoredJobs.New(project, T0.AddMinutes(i))).ToList();
        foreach (var job in jobs)
            await Store.AddAsync(job);
        await Store.AddAsync(StoredJobs.New(Project(), T0)); // another project's

        var first = await Store.ListAsync(JobQuery.Project(project) with { Take = 3 });
        var second = await Store.ListAsync(JobQuery.Project(project) with { Skip = 3, Take = 3 });
        var past = await Store.ListAsync(JobQuery.Project(project) with { Skip = 10, Take = 3 });

        Assert.Equal(jobs.AsEnumerable().Reverse().Take(3).Select(j => j.Id), first.Page.Select(j => j.Id));
        Assert.Equal(jobs.AsEnumerable().Reverse().Skip(3).Take(3).Select(j => j.Id), second.Page.Select(j => j.Id));
        Assert.Equal((7, 7, 0), (first.Total, second.Total, past.Page.Count));
        Assert.Equal(0, (await Store.ListAsync(JobQuery.Project(Project()))).Total);
    }

    [Fact]
    public async Task Listing_filters_by_status_type_id_text_asset_and_finish_time()
    {
        var project = Project();
        var tool = StoredJobs.Finished(StoredJobs.New(project, T0, specId: "Spec-Alpha", assetId: "asset-1"), JobStatus.Succeeded, T0.AddMinutes(1));
        var workflow = StoredJobs.Finished(StoredJobs.New(project, T0.AddMinutes(2), JobTypes.ComfyUIWorkflow, assetId: "asset-2"), JobStatus.Failed, T0.AddHours(2));
        var queued = StoredJobs.New(project, T0.AddMinutes(3), specId: "beta");
        foreach (var job in new[] { tool, workflow, queued })
            await Store.AddAsync(job);

        async Task<IEnumerable<string>> Ids(JobQuery query) => (await Store.ListAsync(query with { ProjectId = project })).Page.Select(j => j.Id);

        Assert.Equal(new[] { workflow.Id }, await Ids(new JobQuery { Statuses = new HashSet<JobStatus> { JobStatus.Failed } }));
        Assert.Equal(new[] { queued.Id, tool.Id }, await Ids(new JobQuery { Types = new HashSet<string> { JobTypes.PythonTool } }));
        Assert.Equal(new[] { tool.Id }, await Ids(new JobQuery { IdText = "spec-ALPHA" }));
        Assert.Equal(new[] { workflow.Id }, await Ids(new JobQuery { IdText = "ASSET-2" }));
        Assert.Equal(new[] { workflow.Id, tool.Id }, await Ids(new JobQuery { AssetIds = new HashSet<string> { "asset-1", "asset-2" } }));
        // Finished at or after the time given; an unfinished job counts from its creation.
        Assert.Equal(new[] { queued.Id, workflow.Id }, await Ids(new JobQuery { FinishedSince = T0.AddMinutes(3) }));
        var page = await Store.ListAsync(new JobQuery { ProjectId = project, Types = new HashSet<string> { JobTypes.PythonTool }, Take = 1 });
        Assert.Equal((1, 2), (page.Page.Count, page.Total));
    }

    [Fact]
    public async Task A_query_across_projects_sees_every_project()
    {
        var (a, b) = (Project(), Project());
        var failedA = StoredJobs.Finished(StoredJobs.New(a, T0), JobStatus.Failed, T0.AddMinutes(1));
        var failedB = StoredJobs.Finished(StoredJobs.New(b, T0.AddMinutes(1)), JobStatus.Failed, T0.AddMinutes(2));
        await Store.AddAsync(failedA);
        await Store.AddAsync(failedB);

        var failed = await Store.ListAsync(new JobQuery { Statuses = new HashSet<JobStatus> { JobStatus.Failed }, FinishedSince = T0 });
        Assert.Equal(new[] { failedB.Id, failedA.Id }, failed.Page.Select(j => j.Id)); // newest first
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), await Store.ProjectsAsync());
    }

    [Fact]
    public async Task Claims_take_the_longest_waiting_job_of_the_types_asked_and_each_job_once()
    {
        var project = Project();
        var tool = StoredJobs.New(project, T0.AddMinutes(-1));
        var older = StoredJobs.New(project, T0, JobTypes.ComfyUIWorkflow);
        var newer = StoredJobs.New(project, T0.AddMinutes(1), JobTypes.ComfyUIWorkflow);
        foreach (var job in new[] { newer, tool, older })
            await Store.AddAsync(job);

        var claimed = await Store.ClaimAsync([JobTypes.ComfyUIWorkflow], job => job with { Status = JobStatus.Running, Attempt = 1 });
        Assert.Equal(older.Id, claimed!.Id);
        Assert.Equal(JobStatus.Running, (await Store.GetAsync(project, older.Id))!.Status);

        var queue = await Store.QueueAsync();
        Assert.Equal(new[] { older.Id }, queue.Running.Select(j => j.Id));
        Assert.Equal((2, tool.CreatedAt), (queue.Queued, queue.OldestQueuedAt));
        Assert.Equal(tool.Id, (await Store.ClaimAsync(null, job => job with { Status = JobStatus.Running, Attempt = 1 }))!.Id);
    }

    [Fact]
    public async Task Concurrent_claims_never_hand_out_a_job_twice()
    {
        var project = Project();
        var jobs = Enumerable.Range(0, 20).Select(i => StoredJobs.New(project, T0.AddSeconds(i))).ToList();
        foreach (var job in jobs)
            await Store.AddAsync(job);

        var claims = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Task.Run(() =>
            Store.ClaimAsync([JobTypes.PythonTool], job => job with { Status = JobStatus.Running, Attempt = 1 }))));

        var claimed = claims.OfType<JobRecord>().Select(c => c.Id).ToList();
        Assert.Equal(jobs.Select(j => j.Id).Order(), claimed.Order()); // every job once, and ten claims came back empty
        Assert.Equal(0, (await Store.QueueAsync()).Queued);
    }

    [Fact]
    public async Task A_store_opened_again_holds_every_record_as_saved()
    {
        var project = Project();
        var job = StoredJobs.New(project, T0, assetId: "asset-9");
        await Store.AddAsync(job);
        var current = (await Store.GetAsync(project, job.Id))!;
        await Store.ReplaceAsync(current, StoredJobs.Finished(current, JobStatus.Failed, T0.AddMinutes(1)));

        var reopened = await ReopenAsync();
        var opened = await reopened.OpenAsync();
        var found = (await reopened.GetAsync(project, job.Id))!;

        Assert.Equal((1, 0), (opened.Jobs, opened.Queued));
        Assert.Equal((JobStatus.Failed, "It broke.", "asset-9"), (found.Status, found.Error?.Message, found.AssetId));
        // Its revision goes on from what was read: a change made from it is saved.
        Assert.True(await reopened.ReplaceAsync(found, found with { SpecId = "after" }));
    }
}
