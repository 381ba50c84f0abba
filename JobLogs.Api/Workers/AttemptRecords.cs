using System.Security.Cryptography;
using System.Text;
using JobLogs.Api.Jobs;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Redaction;

namespace JobLogs.Api.Workers;

/// <summary>How an attempt's changes show on the job's record: the current attempt, and the job's sums of all attempts.</summary>
internal static class AttemptRecords
{
    public static IReadOnlyList<AttemptRecord> WithCurrent(JobRecord job, Func<AttemptRecord, AttemptRecord> change) =>
        [.. job.Attempts.Take(job.Attempts.Count - 1), change(job.Attempts[^1])];

    /// <summary>The job's counts and redaction audit as the sums over its attempts.</summary>
    public static JobRecord Summed(JobRecord job) => job with { Counts = SumCounts(job), Redactions = SumRedactions(job) };

    public static LogCounts SumCounts(JobRecord job) =>
        job.Attempts.Aggregate(new LogCounts(0, 0), (sum, a) => sum + (a.Counts ?? new(0, 0)));

    private static IReadOnlyDictionary<string, int>? SumRedactions(JobRecord job)
    {
        var sum = new RedactionCounts();
        foreach (var attempt in job.Attempts)
            foreach (var (rule, n) in attempt.Redactions ?? new Dictionary<string, int>())
                sum.Add(rule, n);
        return sum.IsEmpty ? null : sum.Snapshot();
    }

    public static long? Duration(DateTimeOffset? from, DateTimeOffset to) =>
        from is { } start ? (long)(to - start).TotalMilliseconds : null;

    /// <summary>What an attempt keeps of its lease: enough to know which attempt a token belongs to, not the token.</summary>
    public static string? Hash(string? token) =>
        token is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..32];
}
