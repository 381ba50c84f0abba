using System.Globalization;
using System.Text.Json.Nodes;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// What a person wants to know about a workflow before it runs, in one log entry: how many nodes of which classes,
/// the seeds, steps and image sizes, the checkpoint and LoRA names (file names, never absolute paths). The raw
/// workflow never goes to the log.
/// </summary>
internal sealed record WorkflowSummary(
    int Nodes, IReadOnlyList<(string Class, int Count)> Classes, IReadOnlyList<decimal> Seeds, IReadOnlyList<decimal> Steps,
    IReadOnlyList<string> Sizes, IReadOnlyList<string> Checkpoints, IReadOnlyList<string> Loras)
{
    private static readonly string[] CheckpointInputs = ["ckpt_name", "unet_name"];

    public static WorkflowSummary Of(Workflow workflow)
    {
        var classes = new Dictionary<string, int>(StringComparer.Ordinal);
        List<decimal> seeds = [], steps = [];
        List<string> sizes = [], checkpoints = [], loras = [];
        foreach (var (_, value) in workflow.Prompt)
        {
            if (value is not JsonObject node)
                continue;
            var type = (string)node["class_type"]!;
            classes[type] = classes.GetValueOrDefault(type) + 1;
            if (node["inputs"] is not JsonObject inputs)
                continue;
            // Linked inputs are [nodeId, output] arrays: only literal values are summarised.
            if ((Number(inputs["seed"]) ?? Number(inputs["noise_seed"])) is { } seed) seeds.Add(seed);
            if (Number(inputs["steps"]) is { } stepCount) steps.Add(stepCount);
            if (Number(inputs["width"]) is { } width && Number(inputs["height"]) is { } height)
                sizes.Add(FormattableString.Invariant($"{width}×{height}") + (Number(inputs["batch_size"]) is { } batch ? FormattableString.Invariant($"×{batch}") : ""));
            foreach (var name in CheckpointInputs)
                if (Text(inputs[name]) is { } checkpoint) checkpoints.Add(FileName(checkpoint));
            if (Text(inputs["lora_name"]) is { } lora) loras.Add(FileName(lora));
        }
        return new WorkflowSummary(workflow.Prompt.Count,
            [.. classes.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value))],
            seeds, steps, [.. sizes.Distinct()], [.. checkpoints.Distinct()], [.. loras.Distinct()]);
    }

    /// <summary>"7 nodes (CLIPTextEncode ×2, KSampler, ...); seed 42; steps 20; size 512×512×1; checkpoint x.safetensors".</summary>
    public string Text()
    {
        var parts = new List<string>
        {
            $"{Nodes} node{(Nodes == 1 ? "" : "s")} ({string.Join(", ", Classes.Take(12).Select(c => c.Count > 1 ? $"{c.Class} ×{c.Count}" : c.Class))}{(Classes.Count > 12 ? ", …" : "")})",
        };
        void Add(string label, IEnumerable<object> values)
        {
            var list = values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)).ToList();
            if (list.Count > 0)
                parts.Add($"{label} {string.Join(", ", list.Take(8))}{(list.Count > 8 ? ", …" : "")}");
        }
        Add(Seeds.Count > 1 ? "seeds" : "seed", Seeds.Cast<object>());
        Add("steps", Steps.Cast<object>());
        Add(Sizes.Count > 1 ? "sizes" : "size", Sizes);
        Add(Checkpoints.Count > 1 ? "checkpoints" : "checkpoint", Checkpoints);
        Add(Loras.Count > 1 ? "LoRAs" : "LoRA", Loras);
        return string.Join("; ", parts);
    }

    public Dictionary<string, object?> Data() => new()
    {
        ["nodes"] = Nodes,
        ["classes"] = Classes.ToDictionary(c => c.Class, c => (object?)c.Count),
        ["seeds"] = Seeds,
        ["steps"] = Steps,
        ["sizes"] = Sizes,
        ["checkpoints"] = Checkpoints,
        ["loras"] = Loras,
    };

    // decimal: seeds go up to 2^64 - 1, beyond long and exact in no double.
    private static decimal? Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<decimal>(out var number) && number == decimal.Truncate(number) ? number : null;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    // A name is what ComfyUI lists ("sdxl/base.safetensors"); an absolute path (a misconfigured workflow) is cut to its file name.
    private static string FileName(string value) =>
        Path.IsPathRooted(value) || value.Length > 2 && value[1] == ':' ? Path.GetFileName(value.Replace('\\', '/')) : value;
}
