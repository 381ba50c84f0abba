using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.App;

/// <summary>
/// python.tool jobs that fail, time out or are stopped, through the whole app: each ends with a card that says what,
/// where and what next, its first error in the log, and no process of the tool left running.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PythonToolFailureTests(AppFixture app)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);
    private readonly string _project = AppFixture.NewProjectId();

    private async Task<Job> Run(string tool, object args, object? extra = null)
    {
        var input = JsonSerializer.SerializeToNode(new { tool, args })!.AsObject();
        foreach (var (name, value) in JsonSerializer.SerializeToNode(extra ?? new { })!.AsObject())
            input[name] = value?.DeepClone();
        var created = await app.Api.CreateJob(_project, JobTypes.PythonTool, input);
        return await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
    }

    private async Task AssertToolProcessesGone(Job job)
    {
        var data = app.JobLog(job).Single(e => e.Str("msg") == "started a helper process").GetProperty("data");
        var (pid, child) = (data.GetProperty("pid").GetInt32(), data.GetProperty("childPid").GetInt32());
        await Eventually.True(() => !Processes.IsAlive(pid) && !Processes.IsAlive(child), TimeSpan.FromSeconds(5), $"tool {pid} and its child {child} to be gone");
    }

    [Fact]
    public async Task A_missing_module_says_which_and_where_it_is_imported()
    {
        var job = await Run("needs_module", new { });
        var card = job.AssertFailed(app.Layout, "tool", "needs_module.py:8", "python-module-missing");
        Assert.Equal("ModuleNotFoundError", card.Type);
        Assert.Contains("No module named 'joblogs_example_dependency'", card.Message);
    }

    [Fact]
    public async Task A_tool_past_its_timeout_is_stopped_with_its_child_process()
    {
        var job = await Run("slow", new { seconds = 60 }, new { timeoutSeconds = 1.5 });
        var card = job.AssertFailed(app.Layout, "tool", "slow.py", "tool-timeout");
        Assert.Equal("tool timeout", card.Type);
        Assert.Contains("timeout of 00:00:01.5", card.Message);
        Assert.Contains(app.JobLog(job), e => e.Str("msg")!.StartsWith("Tool slow timed out after") && e.Str("level") == "error");
        await AssertToolProcessesGone(job);
    }

    [Fact]
    public async Task A_job_past_its_deadline_is_stopped_where_it_was()
    {
        var job = await Run("slow", new { seconds = 60 }, new { deadlineSeconds = 1.5 });
        var card = job.AssertFailed(app.Layout, "tool", "slow.py", "deadline-exceeded");
        Assert.Equal("deadline exceeded", card.Type);
        Assert.Contains(app.JobLog(job), e => e.Str("msg")!.StartsWith("Tool slow was stopped after") && e.Str("level") == "warn");
        await AssertToolProcessesGone(job);
    }

    [Fact]
    public async Task A_non_zero_exit_and_a_signal_are_told_apart()
    {
        var exited = await Run("exit", new { code = 3 });
        var card = exited.AssertFailed(app.Layout, "tool", "exit.py", "tool-nonzero-exit");
        Assert.Equal("non-zero exit", card.Type);
        Assert.Equal("Tool exit exited with code 3: giving up with exit code 3", card.Message);

        var killed = await Run("exit", new { signal = 9 });
        card = killed.AssertFailed(app.Layout, "tool", "exit.py", "tool-killed");
        Assert.Equal("killed by signal", card.Type);
        Assert.Equal(9, app.JobLog(killed).Single(e => e.Str("msg")!.StartsWith("Tool exit was killed by signal 9")).GetProperty("data").GetProperty("signal").GetInt32());
    }

    [Fact]
    public async Task Cancelling_a_running_tool_stops_it_and_its_child_and_records_who_asked()
    {
        var created = await app.Api.CreateTool(_project, "slow", new { seconds = 60 });
        await Eventually.True(() => File.Exists(Path.Combine(app.DataRoot.Path, created.LogPath))
            && app.JobLog(created).Any(e => e.Str("msg") == "started a helper process"), JobTimeout, "the tool to start");

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/projects/{_project}/jobs/{created.Id}/cancel") { Content = JsonContent.Create(new { by = "ada" }) };
        request.Headers.UserAgent.ParseAdd("joblogs-tests/1.0");
        using var response = await app.Web.SendAsync(request); // as a browser would: through the web's forward
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
        Assert.Equal(JobStatus.Canceled, job.Status);
        Assert.Equal(("canceled", "tool", "slow.py", "canceled"), (job.Error!.Type, job.Error.Stage, job.Error.Where, job.Error.Rule));
        var origin = Assert.Single(job.Requests).Origin;
        Assert.Equal(("ada", "joblogs-tests/1.0"), (origin.By, origin.UserAgent));
        Assert.NotNull(origin.ForwardedFor); // it came through the web
        var log = app.JobLog(job);
        Assert.Contains(log, e => e.Str("msg")!.StartsWith("Cancel requested by ada from "));
        Assert.Contains(log, e => e.Str("msg") == "Cancel requested: stopping the run");
        Assert.Contains(log, e => e.Str("msg")!.StartsWith("Tool slow was stopped after"));
        Assert.Equal(0, job.Counts.Error); // a cancel is not an error
        await AssertToolProcessesGone(job);
    }

    [Fact]
    public async Task A_retry_runs_a_second_attempt_in_the_same_log()
    {
        var first = await Run("fail", new { value = "seven" });
        Assert.Equal(JobStatus.Failed, first.Status);
        using var retry = await app.Api.PostAsJsonAsync($"/api/projects/{_project}/jobs/{first.Id}/retry", new { by = "ada" });
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);

        var second = await app.Api.WaitForStatus(_project, first.Id, s => s.IsFinished(), JobTimeout);
        Assert.Equal((JobStatus.Failed, 2), (second.Status, second.Attempt));
        var card = second.AssertFailed(app.Layout, "tool", "fail.py:11", "python-exception");
        Assert.Equal(2, card.Ids!.Attempt);
        var entry = FailureAssertions.EntryAt(app.Layout, second, card.LogOffset!.Value);
        Assert.Equal(2, entry.GetProperty("attempt").GetInt32()); // the first error of this attempt, not the last one's
        Assert.Equal([1, 2], app.JobLog(second).Where(e => e.Str("msg")!.StartsWith("Tool fail exited")).Select(e => e.GetProperty("attempt").GetInt32()));
    }
}
