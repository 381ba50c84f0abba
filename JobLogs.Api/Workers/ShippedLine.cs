using System.Text.Json;

namespace JobLogs.Api.Workers;

/// <summary>
/// What the Api reads of one shipped log line: its top level only (ids, <c>seq</c>, level, component, instance) and, in
/// <c>data</c>, the keys that make a line one of the markers the Api writes. The rest (the message, the data) is stored as
/// the worker or the web formatted it.
/// </summary>
internal readonly record struct ShippedLine(
    string? ProjectId, string? JobId, int? Attempt, long? Seq, string? Level, int? LateAttempt, bool IsCapMarker, string? Component = null, string? Instance = null)
{
    /// <summary>The <c>data</c> key of the marker before an ended attempt's late lines (LogIngest's message names it).</summary>
    public const string LateMarkerKey = "lateAttempt";

    public bool IsError => Level == "error";
    public bool IsWarn => Level == "warn";

    /// <summary>The line, when it is one whole JSON object and nothing else; null when it is not.</summary>
    public static ShippedLine? ReadWhole(ReadOnlySpan<byte> line) => Read(line, whole: true);

    /// <summary>
    /// What a stored line holds. A line longer than the window that read it comes <paramref name="cut"/>: it is read as
    /// far as it goes, and the fields that matter come first in every entry.
    /// </summary>
    public static ShippedLine ReadStored(ReadOnlySpan<byte> line, bool cut) => Read(line, whole: !cut) ?? default;

    private static ShippedLine? Read(ReadOnlySpan<byte> bytes, bool whole)
    {
        var reader = new Utf8JsonReader(bytes, isFinalBlock: whole, state: default);
        var line = new ShippedLine();
        // A cut line ends early: what was read so far is the answer. A whole one that ends early is not an entry.
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                    // Anything but whitespace after the object throws: a line holds one entry.
                    return !whole || !reader.Read() ? line : null;
                var field = Field(ref reader);
                if (!reader.Read())
                    return whole ? null : line;
                switch (field, reader.TokenType)
                {
                    case ("projectId", JsonTokenType.String): line = line with { ProjectId = reader.GetString() }; break;
                    case ("jobId", JsonTokenType.String): line = line with { JobId = reader.GetString() }; break;
                    case ("level", JsonTokenType.String): line = line with { Level = reader.GetString() }; break;
                    case ("component", JsonTokenType.String): line = line with { Component = reader.GetString() }; break;
                    case ("instance", JsonTokenType.String): line = line with { Instance = reader.GetString() }; break;
                    case ("attempt", JsonTokenType.Number): line = line with { Attempt = reader.TryGetInt32(out var a) ? a : null }; break;
                    case ("seq", JsonTokenType.Number): line = line with { Seq = reader.TryGetInt64(out var s) ? s : null }; break;
                    case ("data", JsonTokenType.StartObject):
                        if (!ReadData(ref reader, ref line))
                            return whole ? null : line;
                        break;
                    default:
                        if (!reader.TrySkip())
                            return whole ? null : line;
                        break;
                }
            }
            return whole ? null : line;
        }
        catch (JsonException)
        {
            return whole ? null : line;
        }
    }

    /// <summary>Reads <c>data</c>'s keys (not its values, which are skipped) up to its end; false when the bytes end first.</summary>
    private static bool ReadData(ref Utf8JsonReader reader, ref ShippedLine line)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
                return true;
            var late = reader.ValueTextEquals(LateMarkerKey);
            var cap = reader.ValueTextEquals(JobLogs.ServiceDefaults.Logging.JobLogCapMarker.DataKey);
            if (!reader.Read())
                return false;
            if (late && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var attempt))
                line = line with { LateAttempt = attempt };
            else if (cap)
                line = line with { IsCapMarker = true };
            if (!reader.TrySkip())
                return false;
        }
        return false;
    }

    // The top-level names the Api reads; any other is skipped. Only these few are compared, so no string is made for the rest.
    private static string? Field(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("projectId"u8) ? "projectId"
        : reader.ValueTextEquals("jobId"u8) ? "jobId"
        : reader.ValueTextEquals("attempt"u8) ? "attempt"
        : reader.ValueTextEquals("seq"u8) ? "seq"
        : reader.ValueTextEquals("level"u8) ? "level"
        : reader.ValueTextEquals("component"u8) ? "component"
        : reader.ValueTextEquals("instance"u8) ? "instance"
        : reader.ValueTextEquals("data"u8) ? "data"
        : null;
}
