using System.Text;
using System.Text.Json;

namespace JobLogs.Api.Logs;

/// <summary>
/// Which lines of a window a reader asked for: levels, components, attempts and a text. Each line is read once:
/// a line that is a JSON object is an entry and is judged by its fields; any other line (or a line cut short)
/// is malformed — it passes the level, component and attempt filters, so it is never dropped silently, and the
/// text is looked for in its raw bytes.
/// </summary>
internal sealed class LogFilter
{
    public static readonly string[] Levels = ["debug", "info", "warn", "error"];
    public static readonly string[] Components = ["worker", "backend", "comfyui", "python", "ui"];

    public static readonly LogFilter None = new(null, null, null, null);

    private readonly IReadOnlySet<string>? _levels;
    private readonly IReadOnlySet<string>? _components;
    private readonly IReadOnlySet<int>? _attempts;
    private readonly string? _text;

    public LogFilter(IReadOnlySet<string>? levels, IReadOnlySet<string>? components, IReadOnlySet<int>? attempts, string? text)
    {
        _levels = levels;
        _components = components;
        _attempts = attempts;
        _text = string.IsNullOrEmpty(text) ? null : text;
    }

    public bool IsNone => _levels is null && _components is null && _attempts is null && _text is null;

    /// <summary>Every level from <paramref name="minimum"/> up.</summary>
    public static IReadOnlySet<string> AtLeast(string minimum) => Levels.Skip(Array.IndexOf(Levels, minimum)).ToHashSet();

    /// <summary>Whether <paramref name="line"/> is shown, and whether it is an entry (a JSON object) or comes back malformed.</summary>
    public Verdict Judge(ReadOnlySpan<byte> line, bool cut)
    {
        if (cut || !TryRead(line, out var fields))
            return new Verdict(_text is null || ContainsText(Encoding.UTF8.GetString(line)), IsEntry: false);
        var shown = (_levels is null || fields.Level is { } level && _levels.Contains(level))
            && (_components is null || fields.Component is { } component && _components.Contains(component))
            && (_attempts is null || fields.Attempt is { } attempt && _attempts.Contains(attempt))
            && (_text is null || fields.TextFound);
        return new Verdict(shown, IsEntry: true);
    }

    public readonly record struct Verdict(bool Shown, bool IsEntry);

    private record struct Fields(string? Level, string? Component, int? Attempt, bool TextFound);

    /// <summary>Reads the fields filters look at; false when the line is not exactly one JSON object.</summary>
    private bool TryRead(ReadOnlySpan<byte> line, out Fields fields)
    {
        fields = default;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            if (IsNone)
            {
                reader.Skip();
                return !reader.Read();
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("level"u8) && reader.TokenType == JsonTokenType.String)
                    fields.Level = reader.GetString();
                else if (name.SequenceEqual("component"u8) && reader.TokenType == JsonTokenType.String)
                    fields.Component = reader.GetString();
                else if (name.SequenceEqual("attempt"u8) && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var attempt))
                    fields.Attempt = attempt;
                else if (_text is not null && (name.SequenceEqual("msg"u8) || name.SequenceEqual("data"u8)))
                    fields.TextFound |= FindText(ref reader);
                else
                    reader.Skip();
            }
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Looks for the text in the value at the reader: the message, or every string and number inside data.</summary>
    private bool FindText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            return ValueContainsText(ref reader);
        // Tokens inside the value are deeper than its start; its closing token is back at the same depth.
        var depth = reader.CurrentDepth;
        var found = false;
        while (reader.Read() && reader.CurrentDepth > depth)
            found |= ValueContainsText(ref reader);
        return found;
    }

    private bool ValueContainsText(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => ContainsText(reader.GetString()),
        JsonTokenType.Number => ContainsText(Encoding.UTF8.GetString(reader.ValueSpan)),
        _ => false,
    };

    private bool ContainsText(string? value) => value is not null && value.Contains(_text!, StringComparison.OrdinalIgnoreCase);
}
