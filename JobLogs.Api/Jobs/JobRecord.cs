using System.Text.Json;
using System.Text.Json.Serialization;
using JobLogs.Jobs;

namespace JobLogs.Api.Jobs;

/// <summary>
/// The job record as stored on disk (schemas/job.schema.json): the fields of every job (<see cref="JobFields"/>), and
/// attempts and lease as only the Api may see them: the lease token, and per attempt the counts and the hash of the
/// lease that reported it (so a re-sent report is recognised).
/// </summary>
internal sealed record JobRecord : JobFields
{
    [JsonPropertyOrder(ShapeOrder)]
    public IReadOnlyList<AttemptRecord> Attempts { get; init; } = [];
    [JsonPropertyOrder(ShapeOrder)]
    public LeaseRecord? Lease { get; init; }

    /// <summary>
    /// Which saved version of the job this is, counted by the store (not stored in the record's JSON): a change is saved
    /// only over the revision it was made from.
    /// </summary>
    [JsonIgnore]
    public long Revision { get; init; }

    [JsonIgnore]
    public AttemptRecord? CurrentAttempt => Attempts.Count > 0 ? Attempts[^1] : null;

    /// <summary>A cancel was asked for while this attempt runs: the heartbeat answer tells its worker to stop.</summary>
    [JsonIgnore]
    public bool CancelRequested => Status == JobStatus.Running && Requests.Any(r => r.Action == JobAction.Cancel && r.Attempt == Attempt);

    /// <summary>When the job last entered the queue: created, or asked to retry.</summary>
    [JsonIgnore]
    public DateTimeOffset QueuedAt => Requests.LastOrDefault(r => r.Action == JobAction.Retry)?.At ?? CreatedAt;

    /// <summary>How the record fails job.schema.json, one sentence each; empty when it may be saved.</summary>
    public IReadOnlyList<string> SchemaProblems()
    {
        using var document = JsonSerializer.SerializeToDocument(this, Json.Options);
        return Schemas.Problems(Schemas.Job, document.RootElement);
    }

    /// <summary>The ids a failure card names, from the record (the worker adds what only it knows, the prompt id).</summary>
    public FailureIds FailureIds(FailureIds? given = null) => new()
    {
        ProjectId = ProjectId, JobId = Id, SpecId = SpecId, AssetId = AssetId, Attempt = Attempt, PromptId = given?.PromptId,
    };

    /// <summary>
    /// The job as the Api serves it: the record read as the wire <see cref="Job"/>. One rule, so a field added to both
    /// is carried and cannot drift, while what only the Api keeps (the lease token, each attempt's counts, lease hash and
    /// span) has no place in <see cref="JobAttempt"/> or <see cref="LeaseInfo"/> and is left behind.
    /// </summary>
    public Job ToWire() => JsonSerializer.SerializeToElement(this, Json.Options).Deserialize<Job>(Json.Options)!;

    public JobSummary ToSummary() =>
        new(Id, Type, Status, Error?.Summary, Error?.Hint, Counts, CreatedAt, DurationMs, SpecId, AssetId, Attempt, StartedAt, LogRemoved);
}

/// <summary>
/// One attempt; <see cref="SpanId"/> is its root span in the Api, so what the Api logs later (worker lost) joins its trace.
/// <see cref="LeaseHash"/> is the hash of its lease token, stored at the claim, so any token names its attempt, also after
/// the attempt ended; <see cref="LeaseLost"/> says it ended without a report (its worker stopped renewing the lease).
/// </summary>
internal sealed record AttemptRecord(
    int N, string? TraceId, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, JobStatus Status, string WorkerId,
    LogCounts? Counts = null, string? LeaseHash = null, IReadOnlyDictionary<string, int>? Redactions = null, string? SpanId = null,
    bool? LeaseLost = null);

internal sealed record LeaseRecord([property: SecretData] string Token, string WorkerId, DateTimeOffset ExpiresAt);
