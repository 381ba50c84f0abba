extern alias WorkerAssembly;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;
using WorkerAssembly::JobLogs.Worker.Api;
using WorkerAssembly::JobLogs.Worker.ComfyUI;
using WorkerAssembly::JobLogs.Worker.Jobs;

namespace JobLogs.Tests.ComfyUI;

/// <summary>
/// What the worker makes of a comfyui.workflow input before it submits anything: the prompt, its overrides, its summary.
/// A workflowPath is fetched from a real Api, which holds the project's files.
/// </summary>
public sealed class WorkflowTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly string _project = ApiFactory.NewProjectId();
    private readonly ApiClient _client = new(api.CreateClient());

    private Task<Workflow> Load(object input) => Workflow.LoadAsync(Job(input), _client, CancellationToken.None);

    private Job Job(object input) => new()
    {
        Id = "j-1", ProjectId = _project, Type = JobTypes.ComfyUIWorkflow, Status = JobStatus.Running,
        Input = JsonSerializer.SerializeToElement(input), CreatedAt = DateTimeOffset.UtcNow, LogPath = "x",
    };

    [Fact]
    public async Task The_summary_names_nodes_seed_steps_size_and_models_without_absolute_paths()
    {
        var workflow = Workflows.TextToImage(42, checkpoint: "/srv/models/checkpoints/sdxl/base.safetensors", width: 512, height: 768, batch: 2, steps: 30);
        workflow["8"] = new { class_type = "LoraLoader", inputs = new { lora_name = "styles/detail-demo.safetensors", model = new object[] { "1", 0 }, clip = new object[] { "1", 1 }, strength_model = 1.0, strength_clip = 1.0 } };

        var summary = WorkflowSummary.Of(await Load(new { workflow }));

        Assert.Equal("8 nodes (CLIPTextEncode ×2, CheckpointLoaderSimple, EmptyLatentImage, KSampler, LoraLoader, SaveImage, VAEDecode); seed 42; "
            + "steps 30; size 512×768×2; checkpoint base.safetensors; LoRA styles/detail-demo.safetensors", summary.Text());
        Assert.DoesNotContain("/srv", JsonSerializer.Serialize(summary.Data()));
    }

    [Fact]
    public async Task Seeds_as_large_as_comfyui_allows_are_summarised_exactly()
    {
        var summary = WorkflowSummary.Of(await Load(new { workflow = Workflows.TextToImage(0), overrides = new Dictionary<string, object> { ["5.seed"] = 18446744073709551615UL } }));
        Assert.Contains("seed 18446744073709551615", summary.Text());
    }

    [Fact]
    public async Task Overrides_set_inputs_of_the_nodes_they_name()
    {
        var workflow = await Load(new { workflow = Workflows.TextToImage(1), overrides = new Dictionary<string, object> { ["5.seed"] = 7, ["2.text"] = "a red barn", ["4.new_input"] = true } });
        Assert.Equal(7, (int)workflow.Prompt["5"]!["inputs"]!["seed"]!);
        Assert.Equal("a red barn", (string)workflow.Prompt["2"]!["inputs"]!["text"]!);
        Assert.True((bool)workflow.Prompt["4"]!["inputs"]!["new_input"]!);
        Assert.Equal(["5.seed", "2.text", "4.new_input"], workflow.Overrides);
    }

    public static TheoryData<string, object, string, string> BadInputs => new()
    {
        { "an override of a node the workflow lacks", new { workflow = Workflows.TextToImage(1), overrides = new Dictionary<string, object> { ["9.seed"] = 1 } }, "override 9.seed", "names node 9, which the workflow does not have" },
        { "a file that is not there", new { workflowPath = "w/missing.json" }, "workflowPath w/missing.json", "does not exist in the project's files" },
        { "a path the Api refuses", new { workflowPath = "w\\in.json" }, "workflowPath w\\in.json", "cannot be read from the project's files" },
        { "a file in ComfyUI's UI format", new { workflowPath = "ui.json" }, "workflowPath ui.json", "UI format" },
        { "a file that is not JSON", new { workflowPath = "broken.json" }, "workflowPath broken.json", "is not valid JSON" },
        { "a node without a class", new { workflow = new Dictionary<string, object> { ["1"] = new { inputs = new { } } } }, "inline", "Node 1 of the workflow has no class_type" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task A_workflow_that_cannot_be_submitted_fails_at_the_input_stage(string what, object input, string where, string message)
    {
        var files = api.Layout.ProjectFiles(_project);
        Directory.CreateDirectory(files);
        File.WriteAllText(Path.Combine(files, "ui.json"), """{"nodes": [], "links": [], "version": 0.4}""");
        File.WriteAllText(Path.Combine(files, "broken.json"), """{"1": {""");

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => Load(input));

        Assert.True((failure.Card.Type, failure.Card.Stage, failure.Card.Where) == ("workflow invalid", "input", where), what);
        Assert.Contains(message, failure.Card.Message);
    }

    [Fact]
    public async Task A_workflow_file_is_fetched_from_the_api_and_its_overrides_applied()
    {
        var file = Path.Combine(api.Layout.ProjectFiles(_project), "workflows", "txt2img.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, JsonSerializer.Serialize(Workflows.TextToImage(3)));

        var workflow = await Load(new { workflowPath = "workflows/txt2img.json", overrides = new Dictionary<string, object> { ["5.seed"] = 9 } });

        Assert.Equal("workflowPath workflows/txt2img.json", workflow.Source);
        Assert.Equal(9, (int)workflow.Prompt["5"]!["inputs"]!["seed"]!);
    }

    [Fact]
    public void Progress_of_a_thousand_steps_is_a_handful_of_lines()
    {
        var progress = new ProgressLog(TimeSpan.FromMinutes(1), TimeProvider.System);
        var logged = Enumerable.Range(1, 1000).Where(step => progress.ShouldLog("5", step, 1000)).ToList();
        Assert.Equal([250, 500, 750, 1000], logged);
    }
}
