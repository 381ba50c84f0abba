using System.Text.Json;
using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Worker.PythonTools;

/// <summary>
/// Passes the entries a tool writes to its log pipe (one JSON object a line: <c>level</c>, <c>msg</c>, <c>data</c>) through
/// the worker's logging pipeline as <c>component: python</c>, so they are redacted, counted and offset like every
/// other entry. What a tool sends is bounded and never read as a message template.
/// </summary>
internal sealed partial class ToolLogRelay(ILogger logger, string tool)
{
    public const int MaxMessageChars = 4000;
    public const int MaxDataBytes = 16 * 1024;

    public int Relayed { get; private set; }

    public void Relay(string line, bool cut)
    {
        using var component = logger.BeginComponentScope("python");
        Relayed++;
        if (cut || !TryParse(line, out var level, out var message, out var data))
        {
            LogNotAnEntry(logger, tool, cut ? ToolLogPipe.MaxLineBytes : line.Length, Bounded(line, 500));
            return;
        }
        logger.LogWithData(level, null, data, Template(message));
    }

    private static bool TryParse(string line, out LogLevel level, out string message, out Dictionary<string, object?> data)
    {
        level = LogLevel.Information;
        message = "";
        data = [];
        try
        {
            using var document = JsonDocument.Parse(line);
            var entry = document.RootElement;
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("msg", out var msg) || msg.ValueKind != JsonValueKind.String)
                return false;
            message = Bounded(msg.GetString()!, MaxMessageChars);
            level = entry.TryGetProperty("level", out var l) && l.ValueKind == JsonValueKind.String ? Level(l.GetString()!) : LogLevel.Information;
            if (entry.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object)
                data = d.GetRawText().Length <= MaxDataBytes
                    ? d.EnumerateObject().ToDictionary(p => p.Name, p => Plain(p.Value))
                    : new() { ["dataDropped"] = $"{d.GetRawText().Length} bytes of data, more than the {MaxDataBytes} kept" };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static LogLevel Level(string level) => level.ToLowerInvariant() switch
    {
        "debug" => LogLevel.Debug,
        "warn" or "warning" => LogLevel.Warning,
        "error" or "critical" or "fatal" => LogLevel.Error,
        _ => LogLevel.Information,
    };

    /// <summary>A JSON value as the plain .NET value the pipeline writes back as the same JSON.</summary>
    private static object? Plain(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => Plain(p.Value)),
        JsonValueKind.Array => value.EnumerateArray().Select(Plain).ToList(),
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    // The tool's text is the message itself, not a template: braces are escaped so "{x}" stays "{x}".
    private static string Template(string message) => message.Replace("{", "{{").Replace("}", "}}");

    private static string Bounded(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tool {Tool} wrote a line of {Length} characters to its log pipe that is not a JSON entry with a msg: {Line}")]
    private static partial void LogNotAnEntry(ILogger logger, string tool, int length, string line);
}
