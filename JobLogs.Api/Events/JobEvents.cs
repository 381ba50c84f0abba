using JobLogs.Api.Jobs;
using JobLogs.Events;
using JobLogs.Jobs;

namespace JobLogs.Api.Events;

/// <summary>
/// The event a job's record change tells of, if any: created, started (each claim), and how an attempt ended. Derived
/// from the saved change itself, so each transition has one event wherever it happens (create, claim, report, worker
/// lost, cancel in the queue), and a change that is not saved — a repeated report — has none. Retries and re-queued
/// lost attempts have no event of their own: the next claim's job.started tells of them.
/// </summary>
internal static class JobEvents
{
    public static ProjectEvent? Of(JobRecord? previous, JobRecord next) => (previous?.Status, next.Status) switch
    {
        (null, _) => Event(next, ProjectEventTypes.JobCreated, next.CreatedAt, new() { JobType = next.Type }),
        (not JobStatus.Running, JobStatus.Running) => Event(next, ProjectEventTypes.JobStarted, next.StartedAt,
            new() { Attempt = next.Attempt, WorkerId = next.Lease?.WorkerId }),
        // An attempt ended (reported, or its worker lost), or a queued job was canceled.
        (JobStatus.Running or JobStatus.Queued, var status) when status.IsFinished() => Ended(next, status switch
        {
            JobStatus.Succeeded => ProjectEventTypes.JobSucceeded,
            JobStatus.Failed => ProjectEventTypes.JobFailed,
            _ => ProjectEventTypes.JobCanceled,
        }),
        _ => null,
    };

    private static ProjectEvent Ended(JobRecord job, string type) => Event(job, type, job.FinishedAt, new()
    {
        Attempt = job.Attempt, DurationMs = job.DurationMs, Summary = job.Error?.Summary ?? (type == ProjectEventTypes.JobFailed ? "The job failed without a failure card." : null), Rule = job.Error?.Rule,
    });

    private static ProjectEvent Event(JobRecord job, string type, DateTimeOffset? at, ProjectEventData data) => new()
    {
        Ts = at ?? DateTimeOffset.UtcNow,
        Type = type,
        ProjectId = job.ProjectId,
        JobId = job.Id,
        AssetId = job.AssetId,
        SpecId = job.SpecId,
        Data = data,
    };
}
