using System.Diagnostics;
using JobLogs.ServiceDefaults.Logging;
using OpenTelemetry;

namespace JobLogs.ServiceDefaults.Telemetry;

/// <summary>
/// The ids every span of an attempt carries (DESIGN.md, Telemetry), named like the job scope's log properties:
/// <c>job.id</c>, <c>project.id</c>, <c>job.attempt</c>, and <c>spec.id</c> / <c>asset.id</c> when the job has them.
/// </summary>
public static class JobTags
{
    public const string JobId = LogProperties.JobId;
    public const string ProjectId = LogProperties.ProjectId;
    public const string Attempt = LogProperties.Attempt;
    public const string SpecId = "spec.id";
    public const string AssetId = "asset.id";

    internal static readonly string[] All = [JobId, ProjectId, Attempt, SpecId, AssetId];

    /// <summary>Tags <paramref name="activity"/> with the attempt's ids; its child spans in this process get them by themselves.</summary>
    public static void Stamp(Activity? activity, string projectId, string jobId, int attempt, string? specId = null, string? assetId = null)
    {
        if (activity is null)
            return;
        activity.SetTag(JobId, jobId);
        activity.SetTag(ProjectId, projectId);
        activity.SetTag(Attempt, attempt);
        if (specId is not null)
            activity.SetTag(SpecId, specId);
        if (assetId is not null)
            activity.SetTag(AssetId, assetId);
    }
}

/// <summary>
/// Copies the job's ids from a span's parent to the span as it starts, so every span of an attempt in this process
/// carries them — stages, calls, and the HttpClient spans under them — without each caller tagging its own.
/// </summary>
internal sealed class JobTagsProcessor : BaseProcessor<Activity>
{
    public override void OnStart(Activity activity)
    {
        if (activity.Parent is not { } parent)
            return;
        foreach (var name in JobTags.All)
            if (parent.GetTagItem(name) is { } value && activity.GetTagItem(name) is null)
                activity.SetTag(name, value);
    }
}
