namespace JobLogs.Events;

/// <summary>
/// One line of a project's <c>events.jsonl</c> (schemas/project-event.schema.json): what happened to the project's jobs
/// and assets. The Api is the only writer; the timeline reads them back by offset.
/// </summary>
public sealed record ProjectEvent
{
    public required DateTimeOffset Ts { get; init; }
    public required string Type { get; init; }
    public required string ProjectId { get; init; }
    public string? JobId { get; init; }
    public string? AssetId { get; init; }
    public string? SpecId { get; init; }
    public ProjectEventData? Data { get; init; }
}

/// <summary>What an event's type adds; each type sets only its own fields (the schema says which).</summary>
public sealed record ProjectEventData
{
    /// <summary>job.created: the job's type, e.g. python.tool.</summary>
    public string? JobType { get; init; }
    /// <summary>job.started, job.succeeded, job.failed, job.canceled: the attempt.</summary>
    public int? Attempt { get; init; }
    public string? WorkerId { get; init; }
    public long? DurationMs { get; init; }
    /// <summary>job.failed, job.canceled: the failure card's one-line summary, and the hint rule that matched.</summary>
    public string? Summary { get; init; }
    public string? Rule { get; init; }
    /// <summary>asset.approved: who approved, and why.</summary>
    public string? By { get; init; }
    public string? Note { get; init; }
    /// <summary>export.created.</summary>
    public string? ExportId { get; init; }
    public IReadOnlyList<string>? AssetIds { get; init; }
    public string? Target { get; init; }
}

public static class ProjectEventTypes
{
    public const string JobCreated = "job.created";
    public const string JobStarted = "job.started";
    public const string JobSucceeded = "job.succeeded";
    public const string JobFailed = "job.failed";
    public const string JobCanceled = "job.canceled";
    public const string AssetApproved = "asset.approved";
    public const string ExportCreated = "export.created";
}

/// <summary>
/// A page of events read by offset, oldest first, like a tail response: <see cref="Start"/> is the next <c>before=</c>
/// (older events), <see cref="End"/> the next <c>after=</c> (newer ones), <see cref="Truncated"/> says older ones exist.
/// </summary>
public sealed record ProjectEventPage(long Start, long End, long Size, bool Truncated, IReadOnlyList<ProjectEventItem> Entries);

/// <summary>An event and the byte offset of its line; a line that is not an event comes back <c>malformed</c> with its raw text.</summary>
public sealed record ProjectEventItem(long Offset, ProjectEvent? Event = null, string? Raw = null, bool? Malformed = null);

/// <summary>Body of <c>POST …/assets/{assetId}/approval</c>, optional: the job whose output is approved, who approves, a note.</summary>
public sealed record AssetApprovalRequest(string? JobId = null, string? By = null, string? Note = null);

/// <summary>Body of <c>POST …/exports</c>: the assets to export and, optionally, where to (a name, e.g. "unreal").</summary>
public sealed record ExportRequest(IReadOnlyList<string>? AssetIds = null, string? Target = null);
