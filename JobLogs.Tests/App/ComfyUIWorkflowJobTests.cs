using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.App;

/// <summary>
/// comfyui.workflow jobs through the whole app against the local stand-in: a workflow that succeeds and downloads a real
/// PNG, and each way a workflow fails, each with a card that says the stage, where, and what to do next.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ComfyUIWorkflowJobTests(AppFixture app)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);
    private readonly string _project = AppFixture.NewProjectId();

    private async Task<Job> Create(object workflow, object? overrides = null, double? deadlineSeconds = null)
    {
        var input = new Dictionary<string, object> { ["workflow"] = workflow };
        if (overrides is not null) input["overrides"] = overrides;
        if (deadlineSeconds is not null) input["deadlineSeconds"] = deadlineSeconds;
        return await app.Api.CreateJob(_project, JobTypes.ComfyUIWorkflow, input);
    }

    private async Task<Job> Run(object workflow, object? overrides = null, double? deadlineSeconds = null)
    {
        var created = await Create(workflow, overrides, deadlineSeconds);
        return await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
    }

    private string Endpoint(string path) => new Uri(app.ComfyUIUrl, path).ToString();

    private async Task WaitForLog(Job job, Func<JsonElement, bool> entry, string what)
    {
        try
        {
            await Eventually.True(() => File.Exists(Path.Combine(app.DataRoot.Path, job.LogPath)) && app.JobLog(job).Any(entry), JobTimeout, what);
        }
        catch (TimeoutException timeout)
        {
            // What the job was doing instead, so a failure on a slow machine says where it stood.
            var now = await app.Api.GetJob(_project, job.Id);
            var log = File.Exists(Path.Combine(app.DataRoot.Path, job.LogPath)) ? app.JobLog(job) : [];
            using var comfyUI = new HttpClient { BaseAddress = app.ComfyUIUrl };
            var queue = await comfyUI.GetStringAsync("queue");
            throw new TimeoutException($"{timeout.Message} The job is {now?.Status}; its log's last entries:\n"
                + string.Join("\n", log.TakeLast(15).Select(e => $"{e.Str("ts")} {e.Str("level")} {e.Str("component")}: {e.Str("msg")}"))
                + $"\nComfyUI's queue: {queue}", timeout);
        }
    }

    [Fact]
    public async Task A_workflow_that_succeeds_downloads_its_png_into_the_jobs_assets()
    {
        var job = await Run(Workflows.TextToImage(Workflows.NewSeed(), width: 96, height: 64, steps: 200));

        Assert.True(job.Status == JobStatus.Succeeded, job.Error?.Summary);
        var output = job.Output!.Value;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", output.GetProperty("promptId").GetString());
        var asset = Assert.Single(output.GetProperty("assets").EnumerateArray());
        var path = asset.GetProperty("path").GetString()!;
        Assert.StartsWith($"projects/{_project}/files/assets/{job.Id}/joblogs-test_", path);
        Assert.Equal("image/png", asset.GetProperty("contentType").GetString());
        Assert.Equal("7", asset.GetProperty("nodeId").GetString());
        var bytes = File.ReadAllBytes(Path.Combine(app.DataRoot.Path, path));
        Assert.Equal(asset.GetProperty("bytes").GetInt64(), bytes.Length);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.Equal((96, 64), (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))));

        var log = app.JobLog(job);
        Assert.All(log, e => JsonLines.AssertValid(Schemas.JobLogEntry, e));
        Assert.DoesNotContain(log, e => e.GetRawText().Contains("class_type")); // the raw workflow never goes to the log
        var summary = Assert.Single(log, e => e.Str("msg")!.StartsWith("Workflow (inline): 7 nodes"));
        Assert.Contains("CLIPTextEncode ×2", summary.Str("msg"));
        Assert.Contains("steps 200; size 96×64×1; checkpoint sd15-demo.safetensors", summary.Str("msg"));
        Assert.Equal("sd15-demo.safetensors", summary.GetProperty("data").GetProperty("checkpoints")[0].GetString());

        var submit = Assert.Single(log, e => e.Call()?.Str("op") == "submit");
        Assert.Equal(("comfyui", "info", Endpoint("prompt"), "200"), (submit.Str("component"), submit.Str("level"), submit.Call()!.Value.Str("target"), submit.Call()!.Value.Str("status")));
        Assert.True(submit.GetProperty("data").TryGetProperty("durationMs", out _));
        var session = Assert.Single(log, e => e.Call()?.Str("op") == "follow");
        Assert.Equal("done", session.Call()!.Value.Str("status"));
        Assert.StartsWith("ws://", session.Call()!.Value.Str("target"));
        Assert.Single(log, e => e.Call()?.Str("op") == "download");
        Assert.Contains(log, e => e.Str("msg") == "Running node 5 KSampler");
        var progress = log.Where(e => e.Str("msg")!.StartsWith("Node 5 KSampler: step ")).Select(e => e.Str("msg")).ToList();
        Assert.InRange(progress.Count, 1, 8); // 200 steps, a handful of lines
        Assert.Contains("Node 5 KSampler: step 200 of 200", progress);
        Assert.All(log.Where(e => e.Str("component") == "comfyui"), e => Assert.DoesNotContain("token", e.GetRawText(), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_output_with_errors_is_skipped_by_comfyui_with_a_warning_and_the_rest_runs()
    {
        var workflow = Workflows.TextToImage(Workflows.NewSeed());
        workflow["8"] = new { class_type = "SaveImage", inputs = new { filename_prefix = "no-images" } };
        var job = await Run(workflow);

        Assert.True(job.Status == JobStatus.Succeeded, job.Error?.Summary);
        Assert.Equal(1, job.Counts.Warn);
        var warning = Assert.Single(app.JobLog(job), e => e.Str("level") == "warn");
        Assert.Equal("ComfyUI skips 1 output(s) of the workflow that have errors: node 8 SaveImage: Required input is missing: images", warning.Str("msg"));
    }

    [Fact]
    public async Task A_workflow_file_with_overrides_runs_with_the_overridden_values()
    {
        var folder = Path.Combine(app.Layout.ProjectFiles(_project), "workflows");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "lighthouse.json"), JsonSerializer.Serialize(Workflows.TextToImage(1)));
        var seed = Workflows.NewSeed();
        var created = await app.Api.CreateJob(_project, JobTypes.ComfyUIWorkflow,
            new { workflowPath = "workflows/lighthouse.json", overrides = new Dictionary<string, object> { ["5.seed"] = seed, ["4.width"] = 128 } });
        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);

        Assert.True(job.Status == JobStatus.Succeeded, job.Error?.Summary);
        var summary = Assert.Single(app.JobLog(job), e => e.Str("msg")!.StartsWith("Workflow (workflowPath workflows/lighthouse.json)"));
        Assert.Contains($"seed {seed}", summary.Str("msg"));
        Assert.Contains("size 128×64×1", summary.Str("msg"));
        Assert.Equal(["5.seed", "4.width"], summary.GetProperty("data").GetProperty("overrides").EnumerateArray().Select(o => o.GetString()));
    }

    [Fact]
    public async Task A_workflow_file_that_is_not_there_fails_before_anything_is_submitted()
    {
        var created = await app.Api.CreateJob(_project, JobTypes.ComfyUIWorkflow, new { workflowPath = "workflows/missing.json" });
        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
        var card = job.AssertFailed(app.Layout, "input", "workflowPath workflows/missing.json", "invalid-workflow");
        Assert.Equal("workflow invalid", card.Type);
        Assert.DoesNotContain(app.JobLog(job), e => e.Call() is not null);
    }

    [Fact]
    public async Task A_model_that_is_not_installed_is_refused_at_validation()
    {
        var job = await Run(Workflows.TextToImage(Workflows.NewSeed(), checkpoint: "v1-5-pruned-emaonly.safetensors"));
        var card = job.AssertFailed(app.Layout, "validate", "node 1 CheckpointLoaderSimple, input ckpt_name", "model-missing");
        Assert.Equal("value_not_in_list", card.Type);
        Assert.Contains("ckpt_name: 'v1-5-pruned-emaonly.safetensors' not in ['broken-demo.safetensors'", card.Message);
        Assert.NotNull(card.Ids!.PromptId);
        var rejected = FailureAssertions.EntryAt(app.Layout, job, card.LogOffset!.Value);
        Assert.Equal(("submit", "400"), (rejected.Call()!.Value.Str("op"), rejected.Call()!.Value.Str("status")));
    }

    [Fact]
    public async Task An_unknown_node_class_says_a_custom_node_may_be_missing()
    {
        var job = await Run(new Dictionary<string, object>
        {
            ["1"] = new { class_type = "NoSuchNodeXYZ", inputs = new { }, _meta = new { title = "My Missing Node" } },
            ["2"] = new { class_type = "SaveImage", inputs = new { images = new object[] { "1", 0 }, filename_prefix = "x" } },
        });
        var card = job.AssertFailed(app.Layout, "validate", "node 1 NoSuchNodeXYZ", "unknown-node");
        Assert.Equal("invalid_prompt", card.Type);
        Assert.Contains("custom node", card.Hint);
    }

    [Fact]
    public async Task An_invalid_input_value_names_the_node_and_the_input()
    {
        var job = await Run(Workflows.TextToImage(Workflows.NewSeed(), width: 0));
        var card = job.AssertFailed(app.Layout, "validate", "node 4 EmptyLatentImage, input width", "invalid-input");
        Assert.Equal("value_smaller_than_min", card.Type);
        Assert.Contains("Value 0 smaller than min of 16", card.Message);
    }

    [Fact]
    public async Task Running_out_of_gpu_memory_fails_in_the_sampler_with_comfyuis_message()
    {
        var job = await Run(Workflows.TextToImage(Workflows.NewSeed(), width: 4096, height: 4096));
        var card = job.AssertFailed(app.Layout, "execute", "node 5 KSampler", "gpu-out-of-memory");
        Assert.Equal("torch.OutOfMemoryError", card.Type);
        Assert.Contains("This error means you ran out of memory on your GPU.", card.Message);
        var error = FailureAssertions.EntryAt(app.Layout, job, card.LogOffset!.Value);
        Assert.Equal("comfyui", error.Str("component"));
        Assert.Contains("comfy/samplers.py", error.GetProperty("data").GetProperty("exception").Str("stack"));
    }

    [Fact]
    public async Task A_model_missing_at_run_time_fails_in_its_loader()
    {
        var job = await Run(Workflows.TextToImage(Workflows.NewSeed(), checkpoint: "broken-demo.safetensors"));
        var card = job.AssertFailed(app.Layout, "execute", "node 1 CheckpointLoaderSimple", "model-missing");
        Assert.Equal("FileNotFoundError", card.Type);
        Assert.Contains("Model in folder 'checkpoints' with filename 'broken-demo.safetensors' not found.", card.Message);
    }

    [Fact]
    public async Task A_server_error_on_submit_is_a_5xx_failure_at_the_endpoint()
    {
        var job = await Run(Workflows.Trigger("StandInServerError", new { }));
        var card = job.AssertFailed(app.Layout, "submit", $"POST {Endpoint("prompt")}", "comfyui-5xx");
        Assert.Equal("comfyui server error", card.Type);
        Assert.Contains("Server got itself in trouble", card.Message);
    }

    [Fact]
    public async Task An_answer_that_is_not_comfyuis_is_a_bad_answer_and_nothing_is_submitted_twice()
    {
        var job = await Run(Workflows.Trigger("StandInGarbage", new { mode = "html" }));
        var card = job.AssertFailed(app.Layout, "submit", $"POST {Endpoint("prompt")}", "comfyui-bad-answer");
        Assert.Equal("comfyui bad answer", card.Type);
        Assert.Contains("text/html", card.Message);
        var log = app.JobLog(job);
        Assert.Single(log, e => e.Call()?.Str("op") == "submit");
        Assert.Contains(log, e => e.Str("msg")!.Contains("Looking prompt") && e.Str("msg")!.Contains("up in /queue and /history instead of submitting it again"));
    }

    [Fact]
    public async Task Random_bytes_in_answer_to_a_submit_are_a_bad_answer_and_nothing_is_submitted_twice()
    {
        var job = await Run(Workflows.Trigger("StandInGarbage", new { mode = "garbage" }));
        var card = job.AssertFailed(app.Layout, "submit", $"POST {Endpoint("prompt")}", "comfyui-bad-answer");
        Assert.Equal("comfyui bad answer", card.Type);
        Assert.Single(app.JobLog(job), e => e.Call()?.Str("op") == "submit");
    }

    [Fact]
    public async Task A_cut_answer_to_a_prompt_that_was_queued_is_found_by_its_id()
    {
        var workflow = Workflows.TextToImage(Workflows.NewSeed());
        workflow["8"] = new { class_type = "StandInGarbage", inputs = new { mode = "truncated" } };
        var job = await Run(workflow);

        Assert.True(job.Status == JobStatus.Succeeded, job.Error?.Summary);
        Assert.Single(job.Output!.Value.GetProperty("assets").EnumerateArray());
        var log = app.JobLog(job);
        Assert.Single(log, e => e.Call()?.Str("op") == "submit");
        Assert.Contains(log, e => e.Str("msg")!.StartsWith("ComfyUI has prompt ") && e.Str("level") == "info");
    }

    [Fact]
    public async Task A_garbled_history_fails_at_the_history_endpoint()
    {
        var workflow = Workflows.TextToImage(Workflows.NewSeed());
        workflow["8"] = new { class_type = "StandInGarbage", inputs = new { mode = "history_garbage" } };
        var job = await Run(workflow);
        var promptId = app.JobLog(job).Single(e => e.Str("msg")!.StartsWith("ComfyUI queued prompt ")).GetProperty("data").Str("promptId");
        var card = job.AssertFailed(app.Layout, "execute", $"GET {Endpoint($"history/{promptId}")}", "comfyui-bad-answer");
        Assert.Equal(promptId, card.Ids!.PromptId);
    }

    [Fact]
    public async Task A_login_page_instead_of_the_history_fails_at_the_history_endpoint()
    {
        var workflow = Workflows.TextToImage(Workflows.NewSeed());
        workflow["8"] = new { class_type = "StandInGarbage", inputs = new { mode = "history_html" } };
        var job = await Run(workflow);
        var promptId = app.JobLog(job).Single(e => e.Str("msg")!.StartsWith("ComfyUI queued prompt ")).GetProperty("data").Str("promptId");
        var card = job.AssertFailed(app.Layout, "execute", $"GET {Endpoint($"history/{promptId}")}", "comfyui-bad-answer");
        Assert.Contains("text/html", card.Message);
    }

    [Fact]
    public async Task A_prompt_interrupted_in_comfyui_by_someone_else_fails_as_interrupted()
    {
        var created = await Create(Workflows.TextToImage(Workflows.NewSeed(), steps: 4000));
        await WaitForLog(created, e => e.Str("msg")!.StartsWith("Node 5 KSampler: step ") || e.Str("msg") == "Running node 5 KSampler", "the sampler to run");
        var promptId = app.JobLog(created).Single(e => e.Str("msg")!.StartsWith("ComfyUI queued prompt ")).GetProperty("data").Str("promptId");
        using (var comfyUI = new HttpClient { BaseAddress = app.ComfyUIUrl })
            (await comfyUI.PostAsJsonAsync("interrupt", new { prompt_id = promptId })).EnsureSuccessStatusCode();

        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
        var card = job.AssertFailed(app.Layout, "execute", "node 5 KSampler", "comfyui-interrupted");
        Assert.Equal("interrupted", card.Type);
    }

    [Fact]
    public async Task Cancelling_a_running_workflow_interrupts_its_prompt_in_comfyui()
    {
        var created = await Create(Workflows.TextToImage(Workflows.NewSeed(), steps: 4000));
        await WaitForLog(created, e => e.Str("msg") == "Running node 5 KSampler", "the sampler to run");
        using var cancel = await app.Web.PostAsJsonAsync($"/api/projects/{_project}/jobs/{created.Id}/cancel", new { by = "ada" });
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
        Assert.Equal(JobStatus.Canceled, job.Status);
        Assert.Equal(("execute", "node 5 KSampler", "canceled"), (job.Error!.Stage, job.Error.Where, job.Error.Rule));
        var promptId = job.Error.Ids!.PromptId!;
        Assert.Contains(app.JobLog(job), e => e.Str("msg") == $"Stopping prompt {promptId}: interrupted it in ComfyUI");
        using var comfyUI = new HttpClient { BaseAddress = app.ComfyUIUrl };
        var history = await Eventually.Get(async () =>
        {
            var all = await comfyUI.GetFromJsonAsync<JsonElement>($"history/{promptId}");
            return all.TryGetProperty(promptId, out var entry) ? (object)entry.Clone() : null;
        }, TimeSpan.FromSeconds(10), "the prompt's history");
        Assert.Contains("execution_interrupted", ((JsonElement)history).GetRawText());
    }

    [Fact]
    public async Task Cancelling_a_workflow_waiting_in_comfyuis_queue_deletes_it_from_the_queue()
    {
        var busy = await Create(Workflows.TextToImage(Workflows.NewSeed(), steps: 4000));
        await WaitForLog(busy, e => e.Str("msg") == "Running node 5 KSampler", "the first prompt to run");
        var waiting = await Create(Workflows.TextToImage(Workflows.NewSeed()));
        await WaitForLog(waiting, e => e.Str("msg")!.StartsWith("ComfyUI queued prompt "), "the second prompt to be queued");

        using (var cancel = await app.Api.PostAsJsonAsync($"/api/projects/{_project}/jobs/{waiting.Id}/cancel", new { }))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var job = await app.Api.WaitForStatus(_project, waiting.Id, s => s.IsFinished(), JobTimeout);
        Assert.Equal(JobStatus.Canceled, job.Status);
        Assert.Contains(app.JobLog(job), e => e.Str("msg") == $"Stopping prompt {job.Error!.Ids!.PromptId}: deleted it from ComfyUI's queue");
        using (var cancel = await app.Api.PostAsJsonAsync($"/api/projects/{_project}/jobs/{busy.Id}/cancel", new { }))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        await app.Api.WaitForStatus(_project, busy.Id, s => s.IsFinished(), JobTimeout);
    }

    [Fact]
    public async Task A_workflow_past_its_deadline_is_stopped_where_it_was_and_interrupted()
    {
        // Long enough for the prompt to reach its sampler on a busy machine (a previous test's prompt may still be ending).
        var job = await Run(Workflows.TextToImage(Workflows.NewSeed(), steps: 4000), deadlineSeconds: 6);
        var card = job.AssertFailed(app.Layout, "execute", "node 5 KSampler", "deadline-exceeded");
        Assert.Contains("deadline of 00:00:06", card.Message);
        Assert.Contains(app.JobLog(job), e => e.Str("msg") == $"Stopping prompt {card.Ids!.PromptId}: interrupted it in ComfyUI");
    }
}
