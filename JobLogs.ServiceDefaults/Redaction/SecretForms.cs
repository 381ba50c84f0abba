using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// The forms a configured secret is written in: as is, URL-encoded (upper- and lower-case hex, form encoding),
/// JSON-escaped (as .NET and Python write it) and in base64 / base64url — including inside a longer base64 text
/// (e.g. Basic credentials of "user:secret"), where it starts at any of three byte alignments.
/// </summary>
internal static partial class SecretForms
{
    public static string[] Of(IEnumerable<string> values, int minLength) =>
    [
        .. values.Where(v => v.Length >= minLength)
            .SelectMany(Forms)
            .Where(f => f.Length >= minLength)
            .Distinct(StringComparer.Ordinal),
    ];

    public static IEnumerable<string> Forms(string value)
    {
        yield return value;

        var escaped = Uri.EscapeDataString(value);
        yield return escaped;
        yield return HexEscape().Replace(escaped, m => m.Value.ToLowerInvariant());
        yield return WebUtility.UrlEncode(value);

        yield return JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
        var strict = JsonEncodedText.Encode(value).ToString();
        yield return strict;
        yield return UnicodeEscape().Replace(strict, m => m.Value.ToLowerInvariant());
        yield return PythonAscii(value);

        var bytes = Encoding.UTF8.GetBytes(value);
        foreach (var fragment in Base64Fragments(bytes))
        {
            yield return fragment;
            yield return fragment.Replace('+', '-').Replace('/', '_');
        }
    }

    /// <summary>
    /// For each alignment k (0, 1, 2 bytes before the secret), the base64 characters that only the secret's bits decide:
    /// from character ceil(8k/6) up to floor(8(k+n)/6). Any base64 text holding the secret holds one of them.
    /// </summary>
    private static IEnumerable<string> Base64Fragments(byte[] secret)
    {
        for (var k = 0; k < 3; k++)
        {
            var padded = new byte[k + secret.Length];
            secret.CopyTo(padded, k);
            var encoded = Convert.ToBase64String(padded);
            var start = (8 * k + 5) / 6;
            var end = 8 * (k + secret.Length) / 6;
            if (end > start)
                yield return encoded[start..end];
        }
    }

    // json.dumps(value) with ensure_ascii: quotes, backslashes and control characters escaped, non-ASCII as \uxxxx.
    private static string PythonAscii(string value)
    {
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ' or > '~': text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: text.Append(c); break;
            }
        }
        return text.ToString();
    }

    [GeneratedRegex("%[0-9A-F]{2}")]
    private static partial Regex HexEscape();

    [GeneratedRegex(@"\\u[0-9A-F]{4}")]
    private static partial Regex UnicodeEscape();
}
