using System.Globalization;
using System.Text.Json;
using Serilog.Events;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>A Serilog property value as JSON: a scalar as its JSON value, a sequence as an array, a structure or dictionary as an object.</summary>
internal static class PropertyValueWriter
{
    public static void Write(Utf8JsonWriter w, LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue scalar:
                WriteScalar(w, scalar.Value);
                break;
            case SequenceValue sequence:
                w.WriteStartArray();
                foreach (var element in sequence.Elements)
                    Write(w, element);
                w.WriteEndArray();
                break;
            case StructureValue structure:
                w.WriteStartObject();
                foreach (var property in structure.Properties)
                {
                    w.WritePropertyName(property.Name);
                    Write(w, property.Value);
                }
                w.WriteEndObject();
                break;
            case DictionaryValue dictionary:
                w.WriteStartObject();
                foreach (var (key, element) in dictionary.Elements)
                {
                    w.WritePropertyName(key.Value?.ToString() ?? "null");
                    Write(w, element);
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
