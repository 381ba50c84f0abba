using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.App;

/// <summary>Live follow through the web's YARP forward: events arrive as they happen, not when the job is over.</summary>
[Collection(AppCollection.Name)]
public sealed class LogStreamForwardingTests(AppFixture app)
{
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task Through_the_web_the_first_events_arrive_while_the_job_is_still_running()
    {
        var job = await app.Api.CreateTool(_project, "slow", new { seconds = 8, every = 0.5 });
        await app.Api.WaitForStatus(_project, job.Id, s => s == JobStatus.Running, TimeSpan.FromSeconds(30));

        await using var stream = await SseEvents.OpenAsync(app.Web, $"/api/projects/{_project}/jobs/{job.Id}/log/stream?after=0");
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.All(stream.Response.Content.Headers.ContentEncoding, e => Assert.Equal("identity", e)); // nothing compresses (and so holds back) the stream
        Assert.Equal("ready", (await stream.NextAsync(TimeSpan.FromSeconds(5)))!.Value.EventType);
        var entry = (await stream.NextOfAsync("entry", TimeSpan.FromSeconds(5)))!.Value;
        Assert.StartsWith("Job created", JsonDocument.Parse(entry.Data).RootElement.GetProperty("entry").Str("msg"));
        Assert.Equal(JobStatus.Running, (await app.Api.GetJob(_project, job.Id))!.Status);

        // The stream ends by itself once the job is over.
        string? end = null;
        while (await stream.NextAsync(TimeSpan.FromSeconds(30)) is { } item)
            if (item.EventType == "end")
                end = JsonDocument.Parse(item.Data).RootElement.Str("status");
        Assert.Equal("succeeded", end);
    }
}
