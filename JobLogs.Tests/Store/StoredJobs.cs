using System.Text.Json;
using JobLogs.Api.Jobs;
using JobLogs.Jobs;

namespace JobLogs.Tests.Store;

/// <summary>Valid job records for store tests, made as the Api makes them.</summary>
internal static class StoredJobs
{
    public static JobRecord New(string projectId, DateTimeOffset createdAt, string type = JobTypes.PythonTool, string? specId = null, string? assetId = null)
    {
        var id = Ids.NewJobId(createdAt);
        return new JobRecord
        {
            Id = id, ProjectId = projectId, Type = type, Status = JobStatus.Queued, CreatedAt = createdAt,
            Input = type == JobTypes.PythonTool
                ? JsonSerializer.SerializeToElement(new { tool = "hello" })
                : JsonDocument.Parse("""{"workflow": {"9": {"class_type": "SaveImage", "inputs": {}}}}""").RootElement.Clone(),
            LogPath = DataLayout.JobLogRelative(projectId, id), SpecId = specId, AssetId = assetId,
        };
    }

    public static JobRecord Finished(JobRecord job, JobStatus status, DateTimeOffset at) => job with
    {
        Status = status, StartedAt = at - TimeSpan.FromSeconds(5), FinishedAt = at, Attempt = 1,
        Attempts = [new AttemptRecord(1, null, at - TimeSpan.FromSeconds(5), at, status, "worker-1")],
        Error = status == JobStatus.Failed ? new FailureCard
        {
            Message = "It broke.", Type = "tool failed", Component = "python", Stage = "run", Ids = job.FailureIds(), Hint = "Fix it.", Rule = "test",
        } : null,
    };
}
