using System.Buffers;
using System.Text.Json;
using JobLogs.Jobs;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>Redaction of the structured things a job record holds: its failure card and its output.</summary>
public static class RedactionExtensions
{
    /// <summary>The card with every text redacted (ids are ids); the same instance when nothing was found.</summary>
    public static FailureCard Redact(this Redactor redactor, FailureCard card, RedactionCounts? counts = null)
    {
        var redacted = card with
        {
            Message = redactor.Redact(card.Message, counts),
            Type = redactor.Redact(card.Type, counts),
            Stage = redactor.Redact(card.Stage, counts),
            Where = card.Where is null ? null : redactor.Redact(card.Where, counts),
            Hint = card.Hint is null ? null : redactor.Redact(card.Hint, counts),
        };
        return redacted == card ? card : redacted;
    }

    /// <summary>
    /// <paramref name="element"/> with every string redacted, by its text and by the key it is under (<c>"password": "x"</c>),
    /// and keys that hold a secret replaced; the same element when nothing was found.
    /// </summary>
    public static JsonElement Redact(this Redactor redactor, JsonElement element, RedactionCounts? counts = null)
    {
        var found = new RedactionCounts();
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Json.Options.Encoder }))
            Write(redactor, writer, element, key: null, found);
        if (found.IsEmpty)
            return element;
        counts?.Add(found);
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Write(Redactor redactor, Utf8JsonWriter writer, JsonElement element, string? key, RedactionCounts found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(redactor.Redact(property.Name, found));
                    Write(redactor, writer, property.Value, property.Name, found);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                    Write(redactor, writer, item, key, found);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                var text = element.GetString()!;
                writer.WriteStringValue(key is null ? redactor.Redact(text, found) : redactor.RedactValue(key, text, found));
                break;
            case JsonValueKind.Number when key is not null && SecretKeys.IsSecret(key):
                found.Add(RuleIds.SecretKey, 1);
                writer.WriteStringValue(Redactor.Mask);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
