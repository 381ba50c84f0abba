namespace JobLogs.Web;

/// <summary>How pages show numbers people read at a glance.</summary>
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
}
