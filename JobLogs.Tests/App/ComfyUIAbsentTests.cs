using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.App;

/// <summary>ComfyUI is configured but not running: a workflow fails at once at submit, saying where ComfyUI was expected.</summary>
[Collection(ComfyUIAbsentCollection.Name)]
public sealed class ComfyUIAbsentTests(ComfyUIAbsentAppFixture app)
{
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task A_workflow_fails_as_comfyui_unreachable_at_the_submit_endpoint()
    {
        var created = await app.Api.CreateJob(_project, JobTypes.ComfyUIWorkflow, new { workflow = Workflows.TextToImage(Workflows.NewSeed()) });
        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), TimeSpan.FromSeconds(60));

        var card = job.AssertFailed(app.Layout, "submit", $"POST {new Uri(app.ComfyUIUrl, "prompt")}", "comfyui-unreachable");
        Assert.Equal(("comfyui unreachable", "comfyui"), (card.Type, card.Component));
        Assert.Contains($"ComfyUI is not reachable at {app.ComfyUIUrl}", card.Message);
        var log = app.JobLog(job);
        var connect = Assert.Single(log, e => e.Call()?.Str("op") == "connect");
        Assert.Equal(("warn", "unreachable"), (connect.Str("level"), connect.GetProperty("data").GetProperty("call").Str("status")));
        var submit = FailureAssertions.EntryAt(app.Layout, job, card.LogOffset!.Value);
        Assert.Equal(("submit", "unreachable"), (submit.Call()?.Str("op"), submit.GetProperty("data").GetProperty("call").Str("status")));
    }
}
