using System.Text.Json;
using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Worker.Spool;

/// <summary>
/// The first line of an attempt's spool file: whose lines follow, and the lease token that ships them — all a worker that
/// adopts the file after a restart needs to ship it and to report the attempt.
/// </summary>
internal sealed record SpoolHeader(string ProjectId, string JobId, int Attempt, string LeaseToken, string WorkerId)
{
    public JobKey Key => new(ProjectId, JobId, Attempt);

    public byte[] ToLine() => [.. JsonSerializer.SerializeToUtf8Bytes(this, Json.Options), (byte)'\n'];

    /// <summary>The header of <paramref name="line"/>, or null when it is not one (a file torn at its very start).</summary>
    public static SpoolHeader? Read(ReadOnlySpan<byte> line)
    {
        try
        {
            return JsonSerializer.Deserialize<SpoolHeader>(line, Json.Options) is { } header
                && Ids.IsValid(header.ProjectId) && Ids.IsValid(header.JobId) && header.Attempt >= 1 && header.LeaseToken is { Length: > 0 }
                ? header
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
