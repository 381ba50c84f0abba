extern alias WorkerAssembly;
using JobLogs.Jobs;
using WorkerAssembly::JobLogs.Worker.Failures;

namespace JobLogs.Tests.Worker;

/// <summary>The hint table: every failure the issue names has its own rule, and each rule says what to do next.</summary>
public sealed class HintRuleTests
{
    public static TheoryData<string, FailureCard> Failures => new()
    {
        { "comfyui-unreachable", Card(FailureTypes.ComfyUIUnreachable, "comfyui", "submit") },
        { "comfyui-5xx", Card(FailureTypes.ComfyUIServerError, "comfyui", "submit") },
        { "gpu-out-of-memory", Card("torch.OutOfMemoryError", "comfyui", "execute", "Node 5 KSampler failed: torch.OutOfMemoryError: Allocation on device") },
        { "model-missing", Card("value_not_in_list", "comfyui", "validate", "ComfyUI refused the workflow: node 1 CheckpointLoaderSimple: Value not in list: ckpt_name: 'x.safetensors' not in ['a.safetensors']") },
        { "model-missing", Card("FileNotFoundError", "comfyui", "execute", "Model in folder 'checkpoints' with filename 'x.safetensors' not found.") },
        { "unknown-node", Card("invalid_prompt", "comfyui", "validate", "Cannot execute because node NoSuchNodeXYZ does not exist.") },
        { "unknown-node", Card("missing_node_type", "comfyui", "validate") },
        { "invalid-input", Card("value_not_in_list", "comfyui", "validate", "upscale_method: 'nearest-exactx' not in ['nearest-exact', 'bilinear']") },
        { "invalid-input", Card("value_smaller_than_min", "comfyui", "validate") },
        { "python-module-missing", Card("ModuleNotFoundError", "python", "tool") },
        { "tool-timeout", Card(FailureTypes.ToolTimeout, "python", "tool") },
        { "tool-killed", Card(FailureTypes.ToolKilled, "python", "tool") },
        { "tool-nonzero-exit", Card(FailureTypes.NonZeroExit, "python", "tool") },
        { "python-exception", Card("ValueError", "python", "tool") },
        { "deadline-exceeded", Card(FailureTypes.DeadlineExceeded, "worker", "execute") },
        { "canceled", Card(FailureTypes.Canceled, "worker", "tool") },
        { "prompt-lost", Card(FailureTypes.PromptLost, "comfyui", "execute") },
        { "comfyui-bad-answer", Card(FailureTypes.ComfyUIBadAnswer, "comfyui", "submit") },
        { "comfyui-unauthorized", Card(FailureTypes.ComfyUIUnauthorized, "comfyui", "submit") },
        { "comfyui-timeout", Card(FailureTypes.ComfyUITimeout, "comfyui", "execute") },
        { "comfyui-interrupted", Card(FailureTypes.Interrupted, "comfyui", "execute") },
        { "comfyui-node-error", Card("PIL.UnidentifiedImageError", "comfyui", "execute") },
        { "invalid-workflow", Card("prompt_no_outputs", "comfyui", "validate") },
        { "unexpected", Card("System.NullReferenceException", "worker", "execute") },
    };

    private static FailureCard Card(string type, string component, string stage, string message = "failed") =>
        new() { Message = message, Type = type, Component = component, Stage = stage };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Each_failure_gets_its_own_rule_and_a_hint(string rule, FailureCard card)
    {
        var applied = HintRules.Apply(card);
        Assert.Equal(rule, applied.Rule);
        Assert.False(string.IsNullOrWhiteSpace(applied.Hint));
    }

    [Fact]
    public void Rule_ids_are_unique_and_the_last_rule_catches_everything()
    {
        Assert.Equal(HintRules.Table.Count, HintRules.Table.Select(r => r.Id).Distinct().Count());
        Assert.Equal("unexpected", HintRules.Table[^1].Id);
    }
}
