using System.Text;
using System.Text.Json;
using JobLogs.Api.Jobs;
using JobLogs.Api.Store;
using JobLogs.Jobs;

namespace JobLogs.Tests.Support;

/// <summary>
/// Jobs from the past, written through a real <see cref="IJobStore"/> (the Api's own, or one over a temp data root) with
/// a log and assets of the sizes asked for: retention tests cannot wait days for a job to grow old.
/// </summary>
internal static class PastJobs
{
    /// <summary>
    /// A job that finished at <paramref name="at"/> (or was created then, when queued or running), with a log of about
    /// <paramref name="logBytes"/> and, when <paramref name="assetBytes"/> is not 0, one asset <c>out/image_00001_.png</c>.
    /// </summary>
    public static async Task<JobRecord> Add(IJobStore store, DataLayout layout, string projectId, JobStatus status, DateTimeOffset at,
        int logBytes = 1000, int assetBytes = 0, bool cancelRequested = false, JsonElement? output = null)
    {
        var id = "past-" + Guid.NewGuid().ToString("N")[..12];
        var started = status != JobStatus.Queued;
        var record = new JobRecord
        {
            Id = id, ProjectId = projectId, Type = JobTypes.PythonTool, Status = status,
            Input = JsonSerializer.SerializeToElement(new { tool = "hello" }),
            Output = output,
            CreatedAt = at - TimeSpan.FromMinutes(5),
            StartedAt = started ? at - TimeSpan.FromMinutes(1) : null,
            FinishedAt = status.IsFinished() ? at : null,
            Attempt = started ? 1 : 0,
            Attempts = started ? [new AttemptRecord(1, null, at - TimeSpan.FromMinutes(1), status.IsFinished() ? at : null, status, "worker-1")] : [],
            LogPath = DataLayout.JobLogRelative(projectId, id),
            Requests = cancelRequested ? [new JobRequest(JobAction.Cancel, at, 1, new RequestOrigin("ada", null, null, null))] : [],
        };
        await store.AddAsync(record);
        var log = layout.JobLog(projectId, id);
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        File.WriteAllBytes(log, Log(projectId, id, at, logBytes));
        if (assetBytes > 0)
        {
            var folder = Path.Combine(layout.Assets(projectId, id), "out");
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "image_00001_.png"), new byte[assetBytes]);
        }
        return record;
    }

    /// <summary>Exactly <paramref name="bytes"/> of log (at least one entry's worth): valid entries, the last one padded.</summary>
    private static byte[] Log(string projectId, string jobId, DateTimeOffset at, int bytes)
    {
        var text = new StringBuilder();
        string Line(string msg) => JsonSerializer.Serialize(new { ts = at, level = "info", component = "worker", projectId, jobId, attempt = 1, msg }, Json.Options) + "\n";
        while (text.Length + Line("Working").Length + Line("").Length <= bytes)
            text.Append(Line("Working"));
        text.Append(Line(new string('.', Math.Max(0, bytes - text.Length - Line("").Length))));
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
