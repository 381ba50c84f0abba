namespace JobLogs.Failures;

/// <summary>
/// <c>GET /api/failures</c>: recent failures across projects, grouped by fingerprint (rule, where with numbers
/// taken out — the ComfyUI node class or the tool — and the normalized message), most recent group first.
/// </summary>
public sealed record FailureGroupsPage(DateTimeOffset Since, int Failed, IReadOnlyList<FailureGroup> Groups);

/// <summary>"<see cref="Count"/> jobs failed like this since <see cref="First"/>": one fingerprint and the jobs that share it.</summary>
public sealed record FailureGroup(
    string Fingerprint, string? Rule, string Type, string Component, string Stage, string? Where, string Pattern,
    string Message, string? Hint, int Count, IReadOnlyList<string> Projects,
    FailedJob First, FailedJob Latest, IReadOnlyList<FailedJob> Recent);

/// <summary>One failed job of a group: where to open it and when it failed.</summary>
public sealed record FailedJob(string ProjectId, string JobId, DateTimeOffset At, string? SpecId = null, string? AssetId = null);
