using System.Diagnostics;
using JobLogs.Api.Jobs;
using JobLogs.ServiceDefaults.Telemetry;

namespace JobLogs.Api.Workers;

/// <summary>
/// Each attempt is one trace, started by the Api at the claim and continued by the worker (traceparent in the claim).
/// The worker's heartbeats and report arrive in that trace, and what the Api logs about the attempt afterwards (worker
/// lost) rejoins it, so one attempt's whole story is under one trace id.
/// </summary>
internal static class AttemptTrace
{
    public static readonly ActivitySource Source = new("JobLogs.Api");

    /// <summary>
    /// Starts the attempt's root span (not a child of the claim request: the attempt is its own story, linked to it).
    /// The caller ends it; its traceparent goes to the worker in the claim.
    /// </summary>
    public static Activity? Start(JobRecord job, int attempt)
    {
        var request = Activity.Current;
        Activity.Current = null;
        try
        {
            var activity = Source.StartActivity($"job {job.Type}", ActivityKind.Internal, parentContext: default,
                links: request is null ? null : [new ActivityLink(request.Context)]);
            JobTags.Stamp(activity, job.ProjectId, job.Id, attempt, job.SpecId, job.AssetId);
            activity?.SetTag("job.type", job.Type);
            return activity;
        }
        finally
        {
            Activity.Current = request;
        }
    }

    /// <summary>A span of the current attempt's trace, for what the Api does about it outside the worker's requests.</summary>
    public static Activity? Resume(JobRecord job, string name)
    {
        if (job.CurrentAttempt is not { TraceId: { } traceId, SpanId: { } spanId })
            return null;
        var parent = new ActivityContext(ActivityTraceId.CreateFromString(traceId), ActivitySpanId.CreateFromString(spanId), ActivityTraceFlags.Recorded);
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent);
        JobTags.Stamp(activity, job.ProjectId, job.Id, job.Attempt, job.SpecId, job.AssetId);
        return activity;
    }

    /// <summary>Tags the span of a worker's request (heartbeat, report) with the ids of the attempt it concerns.</summary>
    public static void Tag(Activity? request, JobRecord job) =>
        JobTags.Stamp(request, job.ProjectId, job.Id, job.Attempt, job.SpecId, job.AssetId);

    /// <summary>The W3C trace and span ids and traceparent of <paramref name="activity"/>, or of a fresh trace when nothing listens to ours.</summary>
    public static (string TraceId, string SpanId, string Traceparent) Context(Activity? activity)
    {
        var traceId = (activity?.TraceId ?? ActivityTraceId.CreateRandom()).ToHexString();
        var spanId = (activity?.SpanId ?? ActivitySpanId.CreateRandom()).ToHexString();
        return (traceId, spanId, $"00-{traceId}-{spanId}-01");
    }
}
