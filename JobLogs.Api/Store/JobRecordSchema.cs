using JobLogs.Api.Jobs;

namespace JobLogs.Api.Store;

/// <summary>The check every job store makes before it saves: a record job.schema.json refuses is never written.</summary>
internal static class JobRecordSchema
{
    /// <summary>Returns <paramref name="record"/> when it may be saved; else logs why and throws.</summary>
    public static JobRecord Valid(JobRecord record, ILogger logger)
    {
        if (record.SchemaProblems() is { Count: > 0 } problems)
        {
            logger.LogError("Refused to write the invalid record of job {ProjectId}/{JobId}: {Problems}",
                record.ProjectId, record.Id, string.Join("; ", problems));
            throw new InvalidOperationException($"The record of job {record.ProjectId}/{record.Id} does not match job.schema.json: {string.Join("; ", problems)}");
        }
        return record;
    }
}
