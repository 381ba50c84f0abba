using System.Text.Json;

namespace JobLogs.Worker.ComfyUI;

/// <summary>One file a node put out, as /history lists it (images, gifs, audio ...): what /view downloads.</summary>
internal sealed record OutputFile(string NodeId, string Filename, string Subfolder, string Type);

/// <summary>A finished prompt's entry in /history/{id}: how it ended, and what it put out.</summary>
internal sealed record PromptHistory(bool Succeeded, JsonElement? ExecutionError, JsonElement? Interrupted, IReadOnlyList<OutputFile> Outputs)
{
    public static PromptHistory Parse(JsonElement entry)
    {
        var status = entry.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        var succeeded = status.ValueKind == JsonValueKind.Object && status.TryGetProperty("status_str", out var str) && str.GetString() == "success";
        JsonElement? executionError = null, interrupted = null;
        if (status.ValueKind == JsonValueKind.Object && status.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            foreach (var message in messages.EnumerateArray())
            {
                // Each message is [event, data].
                if (message.ValueKind != JsonValueKind.Array || message.GetArrayLength() < 2 || message[0].ValueKind != JsonValueKind.String)
                    continue;
                if (message[0].GetString() == "execution_error")
                    executionError = message[1].Clone();
                else if (message[0].GetString() == "execution_interrupted")
                    interrupted = message[1].Clone();
            }
        return new PromptHistory(succeeded, executionError, interrupted, Files(entry));
    }

    private static List<OutputFile> Files(JsonElement entry)
    {
        var files = new List<OutputFile>();
        if (!entry.TryGetProperty("outputs", out var outputs) || outputs.ValueKind != JsonValueKind.Object)
            return files;
        foreach (var node in outputs.EnumerateObject())
        {
            if (node.Value.ValueKind != JsonValueKind.Object)
                continue;
            foreach (var kind in node.Value.EnumerateObject())
            {
                if (kind.Value.ValueKind != JsonValueKind.Array)
                    continue;
                foreach (var item in kind.Value.EnumerateArray())
                    if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("filename", out var name) && name.ValueKind == JsonValueKind.String)
                        files.Add(new OutputFile(node.Name, name.GetString()!,
                            item.TryGetProperty("subfolder", out var sub) && sub.ValueKind == JsonValueKind.String ? sub.GetString()! : "",
                            item.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : "output"));
            }
        }
        return files;
    }
}
