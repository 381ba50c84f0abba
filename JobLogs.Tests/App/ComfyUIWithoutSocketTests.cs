using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.App;

/// <summary>
/// A stand-in that refuses the WebSocket: the worker follows prompts by polling /history. In this collection too, because
/// it breaks ComfyUI for a moment: a crash in the middle of a prompt, which the stand-in survives by restarting.
/// </summary>
[Collection(ComfyUIWithoutSocketCollection.Name)]
public sealed class ComfyUIWithoutSocketTests(ComfyUIWithoutSocketAppFixture app)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);
    private readonly string _project = AppFixture.NewProjectId();

    private async Task<Job> Run(object workflow)
    {
        var created = await app.Api.CreateJob(_project, JobTypes.ComfyUIWorkflow, new { workflow });
        return await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
    }

    [Fact]
    public async Task Without_a_websocket_polling_still_finds_the_result_and_downloads_it()
    {
        var job = await Run(Workflows.TextToImage(Workflows.NewSeed(), steps: 20));

        Assert.True(job.Status == JobStatus.Succeeded, job.Error?.Summary);
        var path = Assert.Single(job.Output!.Value.GetProperty("assets").EnumerateArray()).GetProperty("path").GetString()!;
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(app.DataRoot.Path, path))[..4]);
        var log = app.JobLog(job);
        var connect = Assert.Single(log, e => e.Call()?.Str("op") == "connect");
        Assert.Equal(("warn", "refused"), (connect.Str("level"), connect.Call()!.Value.Str("status")));
        var poll = Assert.Single(log, e => e.Call()?.Str("op") == "poll");
        Assert.Equal("found it finished", poll.Call()!.Value.Str("status"));
        Assert.Equal(0, job.Counts.Error);
    }

    [Fact]
    public async Task A_comfyui_crash_during_a_prompt_ends_it_as_prompt_lost()
    {
        var job = await Run(Workflows.Trigger("StandInCrash", new { after_ms = 300 }));
        // Polling knows no node: where is the prompt itself.
        var promptId = app.JobLog(job).Single(e => e.Str("msg")!.StartsWith("ComfyUI queued prompt ")).GetProperty("data").Str("promptId");
        var card = job.AssertFailed(app.Layout, "execute", $"prompt {promptId}", "prompt-lost");
        Assert.Equal("prompt lost", card.Type);
        Assert.Contains("neither queued nor in its history", card.Message);
        Assert.StartsWith($"Prompt {promptId} is lost", FailureAssertions.EntryAt(app.Layout, job, card.LogOffset!.Value).Str("msg"));
        // ComfyUI came back by itself: the next workflow runs.
        Assert.Equal(JobStatus.Succeeded, (await Run(Workflows.TextToImage(Workflows.NewSeed()))).Status);
    }
}
