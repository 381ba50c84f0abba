using System.Globalization;

namespace JobLogs.Web;

/// <summary>How pages show numbers and times people read at a glance.</summary>
internal static class Format
{
    public static string Duration(long? milliseconds) => milliseconds switch
    {
        null => "—",
        < 1000 => $"{milliseconds} ms",
        < 60_000 => $"{milliseconds / 1000.0:0.0} s",
        < 3_600_000 => $"{milliseconds / 60_000} min {milliseconds % 60_000 / 1000} s",
        _ => $"{milliseconds / 3_600_000} h {milliseconds % 3_600_000 / 60_000} min",
    };

    public static string Duration(TimeSpan span) => Duration((long)Math.Max(0, span.TotalMilliseconds));

    /// <summary>An instant as UTC text; pages turn it into "3 min ago" and local time in the browser (js/time.js).</summary>
    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static string Bytes(long? bytes) => bytes switch
    {
        null => "—",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.#} GiB",
    };

    public static string Plural(int count, string one, string many) => count == 1 ? $"1 {one}" : $"{count} {many}";
}
