using System.Text.Json;
using JobLogs.Api.Jobs;

namespace JobLogs.Api.Store.Files;

/// <summary>
/// Job records as files, <c>projects/&lt;projectId&gt;/jobs/&lt;jobId&gt;.json</c>, each written atomically: temp file,
/// fsync, rename. A crash leaves the old record or the new one, never half of one.
/// </summary>
internal sealed class JobRecordFiles(DataLayout layout, ILogger logger)
{
    public void Write(JobRecord record)
    {
        var path = layout.JobRecord(record.ProjectId, record.Id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(record, Json.Options));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Every readable record, oldest first. Unreadable ones are logged and left alone; temp files of writes that never reached their rename are removed.</summary>
    public IReadOnlyList<JobRecord> ReadAll()
    {
        if (!Directory.Exists(layout.ProjectsDirectory))
            return [];
        var loaded = new List<JobRecord>();
        foreach (var projectDir in Directory.EnumerateDirectories(layout.ProjectsDirectory))
        {
            var jobsDir = Path.Combine(projectDir, "jobs");
            if (!Ids.IsValid(Path.GetFileName(projectDir)) || !Directory.Exists(jobsDir))
                continue;
            foreach (var temp in Directory.EnumerateFiles(jobsDir, "*.tmp"))
                File.Delete(temp);
            foreach (var file in Directory.EnumerateFiles(jobsDir, "*.json"))
                if (Read(file) is { } record)
                    loaded.Add(record);
        }
        return [.. loaded.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal)];
    }

    private JobRecord? Read(string file)
    {
        try
        {
            var bytes = File.ReadAllBytes(file);
            using var document = JsonDocument.Parse(bytes);
            if (Schemas.Problems(Schemas.Job, document.RootElement) is { Count: > 0 } problems)
            {
                logger.LogWarning("Skipped the job record {File}: it does not match job.schema.json ({Problems})",
                    layout.Relative(file), string.Join("; ", problems));
                return null;
            }
            var record = document.RootElement.Deserialize<JobRecord>(Json.Options)!;
            if (layout.JobRecord(record.ProjectId, record.Id) != Path.GetFullPath(file))
            {
                logger.LogWarning("Skipped the job record {File}: its ids do not match its place", layout.Relative(file));
                return null;
            }
            return record;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            logger.LogWarning(ex, "Skipped the unreadable job record {File}", layout.Relative(file));
            return null;
        }
    }
}
