using System.Text.Json;

namespace JobLogs.Testing;

/// <summary>The recording of a real ComfyUI v0.8.0 (comfyui-standin/capture/): its steps and events.</summary>
public static class Capture
{
    public static readonly string[] Files = ["capture-meta.json", "capture-success.json", "capture-errors.json", "capture-control.json"];

    private static readonly Dictionary<string, JsonElement> Loaded = [];

    public static JsonElement Load(string file)
    {
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(file, out var document))
                Loaded[file] = document = JsonDocument.Parse(File.ReadAllBytes(Repository.Path("comfyui-standin", "capture", file))).RootElement.Clone();
            return document;
        }
    }

    /// <summary>Every event of every step of a file, with its step's name.</summary>
    public static IEnumerable<(string Step, JsonElement Event)> Events(string file) =>
        Load(file).GetProperty("steps").EnumerateArray()
            .SelectMany(step => step.GetProperty("events").EnumerateArray().Select(e => (step.GetProperty("name").GetString()!, e)));

    /// <summary>The recorded HTTP exchanges (kind "http") of every file.</summary>
    public static IEnumerable<(string File, string Step, JsonElement Event)> HttpEvents() =>
        Files.SelectMany(file => Events(file).Where(e => e.Event.Str("kind") == "http").Select(e => (file, e.Step, e.Event)));
}
