using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace JobLogs.Api.Logs;

/// <summary>
/// Writes a <see cref="LogWindow"/> as the tail response (schemas/tail-response.schema.json), or as raw JSONL
/// when the client asks for <c>application/x-ndjson</c>. Lines are copied as they are when they parse as a JSON
/// object; any other line comes back flagged <c>malformed</c> with its raw text, never dropped.
/// </summary>
internal sealed class TailResult(LogWindow window, bool rawJsonl) : IResult
{
    public const string JsonlContentType = "application/x-ndjson";
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task ExecuteAsync(HttpContext context)
    {
        using (window)
        {
            context.Response.Headers.CacheControl = "no-store";
            if (rawJsonl)
            {
                context.Response.ContentType = JsonlContentType;
                context.Response.Headers["X-Log-Start"] = window.Start.ToString();
                context.Response.Headers["X-Log-End"] = window.End.ToString();
                await context.Response.Body.WriteAsync(window.AllBytes.ToArray());
                return;
            }
            context.Response.ContentType = "application/json; charset=utf-8";
            await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions);
            Write(writer, window);
            await writer.FlushAsync();
        }
    }

    public static void Write(Utf8JsonWriter w, LogWindow window)
    {
        w.WriteStartObject();
        w.WriteNumber("start"u8, window.Start);
        w.WriteNumber("end"u8, window.End);
        w.WriteNumber("size"u8, window.Size);
        w.WriteBoolean("truncated"u8, window.Truncated);
        w.WriteStartArray("entries"u8);
        foreach (var line in window.Lines)
        {
            var bytes = window.Bytes(line);
            w.WriteStartObject();
            w.WriteNumber("offset"u8, line.Offset);
            if (!line.Cut && IsJsonObject(bytes))
            {
                w.WritePropertyName("entry"u8);
                w.WriteRawValue(bytes, skipInputValidation: true);
            }
            else
            {
                w.WriteString("raw"u8, Encoding.UTF8.GetString(bytes));
                w.WriteBoolean("malformed"u8, true);
                if (line.Cut)
                    w.WriteBoolean("cut"u8, true);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static bool IsJsonObject(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
