using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Serilog.Events;
using Serilog.Parsing;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>An entry's <c>msg</c>: the event's template with its properties rendered in.</summary>
internal static class EntryMessageWriter
{
    [ThreadStatic] private static StringBuilder? t_message;

    public static void Write(Utf8JsonWriter w, LogEvent e)
    {
        var sb = t_message ??= new StringBuilder(256);
        sb.Clear();
        // Indexed: enumerating the template's token array through IEnumerable would allocate an enumerator per entry.
        var tokens = TemplateTokens.Of(e.MessageTemplate);
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
}
