using System.Text.Json;
using JobLogs.ServiceDefaults.Redaction;
using Serilog.Events;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// An entry's <c>data</c>, written only when it holds something: the message's own properties, the <c>data.*</c>
/// properties and the exception.
/// </summary>
internal static class EntryDataWriter
{
    public static void Write(Utf8JsonWriter w, LogEvent e)
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
        var plan = DataPlan.Of(e.MessageTemplate);
        for (var i = 0; i < plan.Names.Length; i++)
        {
            if (!properties.TryGetValue(plan.Names[i], out var value))
                continue;
            // A key named on purpose in data.* wins over the message's property of the same name: keys stay unique.
            if (hasNamedData && properties.ContainsKey(plan.DataNames[i]))
                continue;
            Start();
            w.WritePropertyName(plan.Keys[i]);
            PropertyValueWriter.Write(w, value);
        }
        foreach (var (name, value) in properties)
        {
            if (!name.StartsWith(LogProperties.DataPrefix, StringComparison.Ordinal))
                continue;
            Start();
            w.WritePropertyName(name.AsSpan(LogProperties.DataPrefix.Length));
            PropertyValueWriter.Write(w, value);
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
}
