using System.Reflection;
using System.Text.Json;
using Google.Protobuf;

namespace JobLogs.Testing;

/// <summary>
/// Reads the OTLP protobuf the services exported, as JSON: the Serilog OTLP sink carries the generated OpenTelemetry
/// proto classes (internal to it), and Google.Protobuf formats any message as JSON through its descriptor. An export
/// request has the wire format of TracesData / LogsData (field 1: the resource spans / logs), whose classes are read.
/// </summary>
public static class OtlpJson
{
    private static readonly Assembly Protos = typeof(Serilog.Sinks.OpenTelemetry.OtlpProtocol).Assembly;

    /// <summary>The spans of every export request: (service name, span as JSON).</summary>
    public static IEnumerable<(string Service, JsonElement Span)> Spans(IEnumerable<byte[]> requests) =>
        from request in requests.Select(r => Decode("OpenTelemetry.Proto.Trace.V1.TracesData", r))
        from resource in Items(request, "resourceSpans")
        from scope in Items(resource, "scopeSpans")
        from span in Items(scope, "spans")
        select (ServiceName(resource), span);

    /// <summary>The log records of every export request: (service name, record as JSON).</summary>
    public static IEnumerable<(string Service, JsonElement Record)> LogRecords(IEnumerable<byte[]> requests) =>
        from request in requests.Select(r => Decode("OpenTelemetry.Proto.Logs.V1.LogsData", r))
        from resource in Items(request, "resourceLogs")
        from scope in Items(resource, "scopeLogs")
        from record in Items(scope, "logRecords")
        select (ServiceName(resource), record);

    /// <summary>A trace or span id (base64 bytes in proto JSON) as lowercase hex, like W3C traceparent writes it.</summary>
    public static string Id(JsonElement element, string name) =>
        element.TryGetProperty(name, out var id) && id.GetString() is { Length: > 0 } text ? Convert.ToHexStringLower(Convert.FromBase64String(text)) : "";

    /// <summary>An attribute's value as text ("" when absent).</summary>
    public static string Attribute(JsonElement element, string key) =>
        Items(element, "attributes").FirstOrDefault(a => a.GetProperty("key").GetString() == key) is { ValueKind: JsonValueKind.Object } attribute
            ? Text(attribute.GetProperty("value"))
            : "";

    private static string Text(JsonElement value) =>
        value.TryGetProperty("stringValue", out var s) ? s.GetString()! : value.EnumerateObject().FirstOrDefault().Value.ToString();

    private static string ServiceName(JsonElement resource) =>
        resource.TryGetProperty("resource", out var r) ? Attribute(r, "service.name") : "";

    private static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        element.TryGetProperty(name, out var items) ? items.EnumerateArray() : [];

    private static JsonElement Decode(string type, byte[] body)
    {
        var parser = (MessageParser)Protos.GetType(type, throwOnError: true)!.GetProperty("Parser", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        return JsonDocument.Parse(JsonFormatter.Default.Format(parser.ParseFrom(body))).RootElement.Clone();
    }
}
