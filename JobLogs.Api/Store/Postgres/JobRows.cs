using System.Text.Json;
using JobLogs.Api.Jobs;
using JobLogs.Jobs;
using Npgsql;
using NpgsqlTypes;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// A job record as a row of <c>jobs</c> (Schema/0001_jobs.sql): the record's JSON, exactly as a files-mode record file
/// holds it, and the columns listing, search and claims read, set from the record on every write.
/// </summary>
internal static class JobRows
{
    /// <summary>What a read selects, for <see cref="Read"/>.</summary>
    public const string Selected = "revision, record";

    /// <summary>Adds a row: $1 to $11 are <see cref="AddValues"/>; nothing when the job exists.</summary>
    public const string Insert = """
        INSERT INTO jobs (project_id, job_id, revision, status, type, spec_id, asset_id, created_at, queued_at, finished_at, record)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (project_id, job_id) DO NOTHING
        """;

    /// <summary>Replaces a row: $1 to $11 are <see cref="AddValues"/>, $12 the revision it replaces.</summary>
    public const string Update = """
        UPDATE jobs SET revision = $3, status = $4, type = $5, spec_id = $6, asset_id = $7, created_at = $8, queued_at = $9,
            finished_at = $10, record = $11
        WHERE project_id = $1 AND job_id = $2 AND revision = $12
        """;

    public static void AddValues(NpgsqlParameterCollection parameters, JobRecord record)
    {
        parameters.Add(new() { Value = record.ProjectId });
        parameters.Add(new() { Value = record.Id });
        parameters.Add(new() { Value = record.Revision });
        parameters.Add(new() { Value = record.Status.Wire() });
        parameters.Add(new() { Value = record.Type });
        parameters.Add(new() { Value = (object?)record.SpecId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(new() { Value = (object?)record.AssetId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(new() { Value = record.CreatedAt.ToUniversalTime() });
        parameters.Add(new() { Value = record.QueuedAt.ToUniversalTime() });
        parameters.Add(new() { Value = (object?)record.FinishedAt?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        parameters.Add(new() { Value = JsonSerializer.Serialize(record, Json.Options), NpgsqlDbType = NpgsqlDbType.Json });
    }

    /// <summary>The record of a row read with <see cref="Selected"/> (its revision is the store's, not in the JSON).</summary>
    public static JobRecord Read(NpgsqlDataReader row) =>
        JsonSerializer.Deserialize<JobRecord>(row.GetString(1), Json.Options)! with { Revision = row.GetInt64(0) };
}
