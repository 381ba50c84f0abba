namespace JobLogs.Jobs;

/// <summary>
/// Retention removed a finished job's log and assets: when, why (a phrase such as "older than 30 days", so a page can
/// say "removed by retention on … (older than 30 days)"), and how many bytes that freed. The record itself stays.
/// </summary>
public sealed record LogRemoval(DateTimeOffset At, string Reason, long Bytes);
