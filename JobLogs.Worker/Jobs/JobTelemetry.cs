using System.Diagnostics;
using System.Diagnostics.Metrics;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Telemetry;
using JobLogs.Workers;

namespace JobLogs.Worker.Jobs;

/// <summary>
/// The worker's side of a job's telemetry (DESIGN.md, Telemetry). Each attempt is one trace, started by the Api at the
/// claim: the run span continues it, each stage a runner enters is a span under it (<see cref="JobContext.Stage"/>),
/// and each external call is a client span under the stage — a tool run, a ComfyUI submit, poll or download
/// (<see cref="StartCall"/>). HttpClient spans under a call carry the trace to the service in a <c>traceparent</c>
/// header; a tool gets it as <c>TRACEPARENT</c>. Every span is stamped with the job's ids (ServiceDefaults' JobTagsProcessor).
/// Metrics (meter <c>JobLogs.Jobs</c>): jobs started, succeeded, failed and canceled by type, and the duration of runs.
/// </summary>
internal static class JobTelemetry
{
    public static readonly ActivitySource Source = new("JobLogs.Worker");

    private static readonly Meter Meter = new("JobLogs.Jobs");
    private static readonly Counter<long> Started = Meter.CreateCounter<long>("joblogs.jobs.started", "{job}", "Attempts started, by job type.");
    private static readonly Counter<long> Succeeded = Meter.CreateCounter<long>("joblogs.jobs.succeeded", "{job}", "Attempts that succeeded, by job type.");
    private static readonly Counter<long> Failed = Meter.CreateCounter<long>("joblogs.jobs.failed", "{job}", "Attempts that failed, by job type and hint rule.");
    private static readonly Counter<long> Canceled = Meter.CreateCounter<long>("joblogs.jobs.canceled", "{job}", "Attempts canceled on request, by job type.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("joblogs.job.duration", "s", "How long attempts ran, by job type and outcome.");

    public const string TypeTag = "job.type";
    public const string StageTag = "joblogs.stage";
    public const string CallTargetTag = "joblogs.call.target";
    public const string CallOpTag = "joblogs.call.op";
    public const string CallStatusTag = "joblogs.call.status";

    /// <summary>The attempt's span in this worker, continuing the trace the Api started at the claim; counts the attempt as started.</summary>
    public static Activity? StartRun(Claim claim)
    {
        ActivityContext.TryParse(claim.Traceparent, null, out var parent);
        var job = claim.Job;
        var activity = Source.StartActivity($"run {job.Type}", ActivityKind.Internal, parent);
        JobTags.Stamp(activity, job.ProjectId, job.Id, claim.Attempt, job.SpecId, job.AssetId);
        activity?.SetTag(TypeTag, job.Type);
        Started.Add(1, new KeyValuePair<string, object?>(TypeTag, job.Type));
        return activity;
    }

    /// <summary>A stage of the run (tool, submit, execute, download ...); <see cref="JobContext.Stage"/> starts and ends them.</summary>
    internal static Activity? StartStage(string stage)
    {
        var activity = Source.StartActivity($"stage {stage}");
        activity?.SetTag(StageTag, stage);
        return activity;
    }

    /// <summary>
    /// A call to something outside the worker: <paramref name="target"/> names it (<c>comfyui</c>, <c>tool hello</c>) and
    /// <paramref name="op"/> what is asked (<c>submit</c>, <c>poll</c>, <c>download</c>, <c>run</c>). End it with <see cref="EndCall"/>
    /// (or dispose it); while it is current, HttpClient calls and tool processes continue its trace.
    /// </summary>
    public static Activity? StartCall(string target, string op)
    {
        var activity = Source.StartActivity($"{target} {op}", ActivityKind.Client);
        activity?.SetTag(CallTargetTag, target);
        activity?.SetTag(CallOpTag, op);
        return activity;
    }

    /// <summary>Ends a call with its outcome, as the job log's <c>data.call.status</c> says it (e.g. "exited with code 1").</summary>
    public static void EndCall(Activity? call, string status, bool failed)
    {
        if (call is null)
            return;
        call.SetTag(CallStatusTag, status);
        if (failed)
            call.SetStatus(ActivityStatusCode.Error, status);
        call.Stop();
    }

    public static void RunEnded(string type, JobStatus status, TimeSpan elapsed, string? rule)
    {
        var typeTag = new KeyValuePair<string, object?>(TypeTag, type);
        switch (status)
        {
            case JobStatus.Succeeded: Succeeded.Add(1, typeTag); break;
            case JobStatus.Canceled: Canceled.Add(1, typeTag); break;
            default: Failed.Add(1, typeTag, new KeyValuePair<string, object?>("job.failure.rule", rule ?? "none")); break;
        }
        Duration.Record(elapsed.TotalSeconds, typeTag, new KeyValuePair<string, object?>("job.status", status.Wire()));
    }
}
