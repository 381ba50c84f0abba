extern alias WorkerAssembly;
using System.Text.Json;
using JobLogs.Jobs;
using WorkerAssembly::JobLogs.Worker.ComfyUI;
using WorkerAssembly::JobLogs.Worker.Jobs;

namespace JobLogs.Tests.ComfyUI;

/// <summary>What the worker makes of a comfyui.workflow input before it submits anything: the prompt, its overrides, its summary.</summary>
public sealed class WorkflowTests : IDisposable
{
    private readonly TempDirectory _data = new("workflow");
    private DataLayout Layout => new(_data.Path);

    public void Dispose() => _data.Dispose();

    private static Job Job(object input) => new()
    {
        Id = "j-1", ProjectId = "p-1", Type = JobTypes.ComfyUIWorkflow, Status = JobStatus.Running,
        Input = JsonSerializer.SerializeToElement(input), CreatedAt = DateTimeOffset.UtcNow, LogPath = "x",
    };

    [Fact]
    public void The_summary_names_nodes_seed_steps_size_and_models_without_absolute_paths()
    {
        var workflow = Workflows.TextToImage(42, checkpoint: "/srv/models/checkpoints/sdxl/base.safetensors", width: 512, height: 768, batch: 2, steps: 30);
        workflow["8"] = new { class_type = "LoraLoader", inputs = new { lora_name = "styles/detail-demo.safetensors", model = new object[] { "1", 0 }, clip = new object[] { "1", 1 }, strength_model = 1.0, strength_clip = 1.0 } };

        var summary = WorkflowSummary.Of(Workflow.Load(Job(new { workflow }), Layout));

        Assert.Equal("8 nodes (CLIPTextEncode ×2, CheckpointLoaderSimple, EmptyLatentImage, KSampler, LoraLoader, SaveImage, VAEDecode); seed 42; "
            + "steps 30; size 512×768×2; checkpoint base.safetensors; LoRA styles/detail-demo.safetensors", summary.Text());
        Assert.DoesNotContain("/srv", JsonSerializer.Serialize(summary.Data()));
    }

    [Fact]
    public void Seeds_as_large_as_comfyui_allows_are_summarised_exactly()
    {
        var summary = WorkflowSummary.Of(Workflow.Load(Job(new { workflow = Workflows.TextToImage(0), overrides = new Dictionary<string, object> { ["5.seed"] = 18446744073709551615UL } }), Layout));
        Assert.Contains("seed 18446744073709551615", summary.Text());
    }

    [Fact]
    public void Overrides_set_inputs_of_the_nodes_they_name()
    {
        var workflow = Workflow.Load(Job(new { workflow = Workflows.TextToImage(1), overrides = new Dictionary<string, object> { ["5.seed"] = 7, ["2.text"] = "a red barn", ["4.new_input"] = true } }), Layout);
        Assert.Equal(7, (int)workflow.Prompt["5"]!["inputs"]!["seed"]!);
        Assert.Equal("a red barn", (string)workflow.Prompt["2"]!["inputs"]!["text"]!);
        Assert.True((bool)workflow.Prompt["4"]!["inputs"]!["new_input"]!);
        Assert.Equal(["5.seed", "2.text", "4.new_input"], workflow.Overrides);
    }

    public static TheoryData<string, object, string, string> BadInputs => new()
    {
        { "an override of a node the workflow lacks", new { workflow = Workflows.TextToImage(1), overrides = new Dictionary<string, object> { ["9.seed"] = 1 } }, "override 9.seed", "names node 9, which the workflow does not have" },
        { "a file that is not there", new { workflowPath = "w/missing.json" }, "workflowPath w/missing.json", "does not exist in the project's files" },
        { "a file in ComfyUI's UI format", new { workflowPath = "ui.json" }, "workflowPath ui.json", "UI format" },
        { "a file that is not JSON", new { workflowPath = "broken.json" }, "workflowPath broken.json", "is not valid JSON" },
        { "a node without a class", new { workflow = new Dictionary<string, object> { ["1"] = new { inputs = new { } } } }, "inline", "Node 1 of the workflow has no class_type" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void A_workflow_that_cannot_be_submitted_fails_at_the_input_stage(string what, object input, string where, string message)
    {
        var files = Layout.ProjectFiles("p-1");
        Directory.CreateDirectory(files);
        File.WriteAllText(Path.Combine(files, "ui.json"), """{"nodes": [], "links": [], "version": 0.4}""");
        File.WriteAllText(Path.Combine(files, "broken.json"), """{"1": {""");

        var failure = Assert.Throws<JobFailedException>(() => Workflow.Load(Job(input), Layout));

        Assert.True((failure.Card.Type, failure.Card.Stage, failure.Card.Where) == ("workflow invalid", "input", where), what);
        Assert.Contains(message, failure.Card.Message);
    }

    [Fact]
    public void Progress_of_a_thousand_steps_is_a_handful_of_lines()
    {
        var progress = new ProgressLog(TimeSpan.FromMinutes(1), TimeProvider.System);
        var logged = Enumerable.Range(1, 1000).Where(step => progress.ShouldLog("5", step, 1000)).ToList();
        Assert.Equal([250, 500, 750, 1000], logged);
    }
}
