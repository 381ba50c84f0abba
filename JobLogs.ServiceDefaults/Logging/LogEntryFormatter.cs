using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using JobLogs.ServiceDefaults.Redaction;
using Serilog.Events;
using Serilog.Parsing;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// Writes a log event as one JSONL entry (schemas/job-log-entry.schema.json): ts, level, component, projectId,
/// jobId, attempt, msg, data, traceId, spanId. <c>data</c> holds only what the code named on purpose: the
/// message's own properties, <c>data.*</c> properties and the exception — never ambient scope properties.
/// </summary>
internal sealed class LogEntryFormatter(string defaultComponent)
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;
    [ThreadStatic] private static StringBuilder? t_message;

    /// <summary>The entry as UTF-8 JSON ending in '\n'. Valid until the next call on the same thread.</summary>
    public ReadOnlySpan<byte> Format(LogEvent e, JobKey? job)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        w.Reset(buffer);

        w.WriteStartObject();
        w.WriteString("ts"u8, e.Timestamp.ToUniversalTime()); // ISO 8601 with its +00:00 offset
        w.WriteString("level"u8, Level(e.Level));
        w.WriteString("component"u8, e.Properties.TryGetValue(LogProperties.Component, out var c) && c is ScalarValue { Value: string component }
            ? component : defaultComponent);
        if (job is { } key)
        {
            w.WriteString("projectId"u8, key.ProjectId);
            w.WriteString("jobId"u8, key.JobId);
            w.WriteNumber("attempt"u8, key.Attempt);
        }
        WriteMessage(w, e);
        WriteData(w, e);
        if (e.TraceId is { } traceId)
            w.WriteString("traceId"u8, traceId.ToHexString());
        if (e.SpanId is { } spanId)
            w.WriteString("spanId"u8, spanId.ToHexString());
        w.WriteEndObject();
        w.Flush();
        buffer.Write("\n"u8);
        return buffer.WrittenSpan;
    }

    public static string Level(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => "debug",
        LogEventLevel.Information => "info",
        LogEventLevel.Warning => "warn",
        _ => "error",
    };

    private static void WriteMessage(Utf8JsonWriter w, LogEvent e)
    {
        var sb = t_message ??= new StringBuilder(256);
        sb.Clear();
        // Indexed: enumerating the template's token array through IEnumerable would allocate an enumerator per entry.
        var tokens = Tokens(e.MessageTemplate);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token is TextToken text)
                sb.Append(text.Text);
            else if (token is PropertyToken property)
            {
                if (e.Properties.TryGetValue(property.PropertyName, out var value))
                    RenderInline(sb, value, property.Format);
                else
                    sb.Append(property.ToString());
            }
        }
        var chars = ArrayPool<char>.Shared.Rent(sb.Length);
        try
        {
            sb.CopyTo(0, chars, sb.Length);
            w.WriteString("msg"u8, chars.AsSpan(0, sb.Length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    // Strings go into the message as they are (no quotes), like Microsoft.Extensions.Logging renders them.
    private static void RenderInline(StringBuilder sb, LogEventPropertyValue value, string? format)
    {
        switch (value)
        {
            case ScalarValue { Value: null }:
                sb.Append("null");
                break;
            case ScalarValue { Value: string s }:
                sb.Append(s);
                break;
            case ScalarValue { Value: ISpanFormattable f }:
                // Numbers, times and ids straight into the message: no string per value.
                Span<char> chars = stackalloc char[64];
                if (f.TryFormat(chars, out var written, format, CultureInfo.InvariantCulture))
                    sb.Append(chars[..written]);
                else
                    sb.Append(f.ToString(format, CultureInfo.InvariantCulture));
                break;
            case ScalarValue { Value: IFormattable f }:
                sb.Append(f.ToString(format, CultureInfo.InvariantCulture));
                break;
            case ScalarValue scalar:
                sb.Append(scalar.Value);
                break;
            default:
                sb.Append(value.ToString(format, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void WriteData(Utf8JsonWriter w, LogEvent e)
    {
        var started = false;
        void Start()
        {
            if (started) return;
            started = true;
            w.WriteStartObject("data"u8);
        }

        // Serilog keeps an event's properties in a Dictionary: enumerated as one, no enumerator is boxed per entry.
        var properties = e.Properties as Dictionary<string, LogEventPropertyValue> ?? new Dictionary<string, LogEventPropertyValue>(e.Properties);
        var hasNamedData = false;
        foreach (var name in properties.Keys)
            hasNamedData |= name.StartsWith(LogProperties.DataPrefix, StringComparison.Ordinal);
        var plan = Plan(e.MessageTemplate);
        for (var i = 0; i < plan.Names.Length; i++)
        {
            if (!properties.TryGetValue(plan.Names[i], out var value))
                continue;
            // A key named on purpose in data.* wins over the message's property of the same name: keys stay unique.
            if (hasNamedData && properties.ContainsKey(plan.DataNames[i]))
                continue;
            Start();
            w.WritePropertyName(plan.Keys[i]);
            WriteValue(w, value);
        }
        foreach (var (name, value) in properties)
        {
            if (!name.StartsWith(LogProperties.DataPrefix, StringComparison.Ordinal))
                continue;
            Start();
            w.WritePropertyName(name.AsSpan(LogProperties.DataPrefix.Length));
            WriteValue(w, value);
        }
        if (e.Exception is { } exception)
        {
            Start();
            w.WriteStartObject("exception"u8);
            w.WriteString("type"u8, exception is RedactedException r ? r.OriginalType : exception.GetType().FullName);
            w.WriteString("message"u8, exception.Message);
            w.WriteString("stack"u8, exception.ToString());
            w.WriteEndObject();
        }
        if (started)
            w.WriteEndObject();
    }

    /// <summary>
    /// What <c>data</c> takes from a template's own properties: their names, their keys in camelCase (encoded once), and
    /// the <c>data.*</c> property names that would override them.
    /// </summary>
    private sealed record DataPlan(string[] Names, JsonEncodedText[] Keys, string[] DataNames);

    // Serilog parses a template once per call site and keeps it, so its plan is worked out once too.
    private static readonly ConditionalWeakTable<MessageTemplate, DataPlan> Plans = new();

    private static DataPlan Plan(MessageTemplate template) => Plans.GetValue(template, static t =>
    {
        var tokens = Tokens(t);
        var names = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
            if (tokens[i] is PropertyToken property && !IsTopLevel(property.PropertyName) && !SeenBefore(tokens, i, property.PropertyName))
                names.Add(property.PropertyName);
        var keys = names.Select(CamelCase).ToList();
        return new DataPlan([.. names], [.. keys.Select(k => JsonEncodedText.Encode(k, JavaScriptEncoder.UnsafeRelaxedJsonEscaping))],
            [.. keys.Select(k => LogProperties.DataPrefix + k)]);
    });

    // Serilog keeps a template's tokens in an array; any other shape is copied.
    private static IReadOnlyList<MessageTemplateToken> Tokens(MessageTemplate template) =>
        template.Tokens as IReadOnlyList<MessageTemplateToken> ?? [.. template.Tokens];

    // A template may name a property twice; data holds it once.
    private static bool SeenBefore(IReadOnlyList<MessageTemplateToken> tokens, int index, string name)
    {
        for (var i = 0; i < index; i++)
            if (tokens[i] is PropertyToken p && p.PropertyName == name)
                return true;
        return false;
    }

    private static bool IsTopLevel(string name) =>
        name is LogProperties.ProjectId or LogProperties.JobId or LogProperties.Attempt or LogProperties.Component;

    private static string CamelCase(string name) =>
        name.Length > 0 && char.IsUpper(name[0]) ? JsonNamingPolicy.CamelCase.ConvertName(name) : name;

    internal static void WriteValue(Utf8JsonWriter w, LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue scalar:
                WriteScalar(w, scalar.Value);
                break;
            case SequenceValue sequence:
                w.WriteStartArray();
                foreach (var element in sequence.Elements)
                    WriteValue(w, element);
                w.WriteEndArray();
                break;
            case StructureValue structure:
                w.WriteStartObject();
                foreach (var property in structure.Properties)
                {
                    w.WritePropertyName(property.Name);
                    WriteValue(w, property.Value);
                }
                w.WriteEndObject();
                break;
            case DictionaryValue dictionary:
                w.WriteStartObject();
                foreach (var (key, element) in dictionary.Elements)
                {
                    w.WritePropertyName(key.Value?.ToString() ?? "null");
                    WriteValue(w, element);
                }
                w.WriteEndObject();
                break;
            default:
                w.WriteStringValue(value.ToString());
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case short or byte or sbyte or ushort: w.WriteNumberValue(Convert.ToInt32(value, CultureInfo.InvariantCulture)); break;
            case uint u: w.WriteNumberValue(u); break;
            case ulong ul: w.WriteNumberValue(ul); break;
            case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): w.WriteNumberValue(f); break;
            case decimal m: w.WriteNumberValue(m); break;
            case DateTimeOffset dto: w.WriteStringValue(dto.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)); break;
            case DateTime dt: w.WriteStringValue(dt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)); break;
            case IFormattable f: w.WriteStringValue(f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: w.WriteStringValue(value.ToString()); break;
        }
    }
}
