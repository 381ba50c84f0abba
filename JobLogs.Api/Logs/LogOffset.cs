using System.Globalization;
using System.Text.RegularExpressions;
using JobLogs.Api.Extensions;

namespace JobLogs.Api.Logs;

/// <summary>
/// A cursor into a log as clients send it back (<c>after=</c>, <c>before=</c>, <c>Last-Event-ID</c>): a byte offset.
/// The wire format also allows <c>generation:offset</c> for runtime logs that rotate (tail-response.schema.json). Our
/// offsets always name the current file: a rotation renames it away, and a stream over it ends with <c>rotated</c> so
/// the client starts again at the new file's tail. Such a cursor is refused with a sentence; this is the one place
/// that would read it.
/// </summary>
internal static partial class LogOffset
{
    /// <summary>The offset in <paramref name="text"/>, or a sentence saying why it is not one.</summary>
    public static (long Offset, string? Problem) Parse(string name, string? text)
    {
        if (string.IsNullOrEmpty(text))
            return (0, $"{name} is empty: give a byte offset, a whole number from 0.");
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            return (offset, null);
        if (GenerationRegex().IsMatch(text))
            return (0, $"{name} '{QueryParameters.Shorten(text)}' names a log generation; offsets here are byte offsets in the current file: give a plain byte offset.");
        return (0, $"{name} must be a byte offset, a whole number from 0; got '{QueryParameters.Shorten(text)}'.");
    }

    [GeneratedRegex(@"^\d{1,9}:\d{1,18}$")]
    private static partial Regex GenerationRegex();
}
