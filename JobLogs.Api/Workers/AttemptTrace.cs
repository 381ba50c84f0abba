using System.Diagnostics;
using JobLogs.Api.Jobs;

namespace JobLogs.Api.Workers;

/// <summary>Each attempt is one trace, started by the Api at the claim and continued by the worker.</summary>
internal static class AttemptTrace
{
    public static readonly ActivitySource Source = new("JobLogs.Api");

    /// <summary>
    /// Starts the attempt's root span (not a child of the claim request: the attempt is its own story).
    /// The caller ends it; its traceparent goes to the worker in the claim.
    /// </summary>
    public static Activity? Start(JobRecord job, int attempt)
    {
        var request = Activity.Current;
        Activity.Current = null;
        try
        {
            var activity = Source.StartActivity($"job {job.Type}", ActivityKind.Internal, parentContext: default);
            activity?.SetTag("job.id", job.Id);
            activity?.SetTag("project.id", job.ProjectId);
            activity?.SetTag("job.attempt", attempt);
            activity?.SetTag("job.type", job.Type);
            if (job.SpecId is not null) activity?.SetTag("spec.id", job.SpecId);
            if (job.AssetId is not null) activity?.SetTag("asset.id", job.AssetId);
            if (request is not null) activity?.AddLink(new ActivityLink(request.Context));
            return activity;
        }
        finally
        {
            Activity.Current = request;
        }
    }

    /// <summary>The W3C traceparent of <paramref name="activity"/>, or of a fresh trace when nothing listens to ours.</summary>
    public static (string TraceId, string Traceparent) Context(Activity? activity)
    {
        var traceId = activity?.TraceId ?? ActivityTraceId.CreateRandom();
        var spanId = activity?.SpanId ?? ActivitySpanId.CreateRandom();
        return (traceId.ToHexString(), $"00-{traceId.ToHexString()}-{spanId.ToHexString()}-01");
    }
}
