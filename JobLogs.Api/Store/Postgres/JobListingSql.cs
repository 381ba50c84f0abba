using JobLogs.Jobs;
using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// A <see cref="JobQuery"/> as SQL over <c>jobs</c>: one condition per condition of the query, each value a parameter,
/// so the planner sees which indexes fit (Schema/0001_jobs.sql). <see cref="JobQuery.Matches"/> is the meaning each
/// condition keeps. Newest first is created_at, then job id (then project id, across projects), descending: files
/// mode's order.
/// </summary>
internal sealed class JobListingSql
{
    private readonly List<string> _conditions = [];
    private readonly List<object> _values = [];
    private readonly JobQuery _query;

    private JobListingSql(JobQuery query)
    {
        _query = query;
        if (query.ProjectId is { } projectId)
            Where("project_id = $", projectId);
        if (query.Statuses is { } statuses)
            Where("status = ANY($)", statuses.Select(s => s.Wire()).ToArray());
        if (query.Types is { } types)
            Where("type = ANY($)", types.ToArray());
        // Ids are ASCII, so an id contains the text in any case exactly when its upper case contains the text's upper
        // case (what StringComparison.OrdinalIgnoreCase compares).
        if (!string.IsNullOrEmpty(query.IdText))
            Where("(strpos(upper(job_id), $) > 0 OR strpos(upper(spec_id), $) > 0 OR strpos(upper(asset_id), $) > 0)", query.IdText.ToUpperInvariant());
        if (query.AssetIds is { } assetIds)
            Where("asset_id = ANY($)", assetIds.ToArray());
        if (query.FinishedSince is { } since)
            Where("coalesce(finished_at, created_at) >= $", since.ToUniversalTime());
    }

    public static JobListingSql For(JobQuery query) => new(query);

    /// <summary>The page's records, newest first; its parameters are <see cref="PageValues"/>.</summary>
    public string Page => $"""
        SELECT {JobRows.Selected} FROM jobs{WhereClause}
        ORDER BY created_at DESC, job_id DESC, project_id DESC
        LIMIT ${_values.Count + 1} OFFSET ${_values.Count + 2}
        """;

    public IReadOnlyList<object> PageValues => [.. _values, _query.Take, _query.Skip];

    /// <summary>
    /// How many jobs match in all; its parameters are the conditions' values. Without a condition beyond the project,
    /// the total is what the projects counted as their jobs were added, not a count of rows.
    /// </summary>
    public string Total => _conditions.Count == (_query.ProjectId is null ? 0 : 1)
        ? $"SELECT coalesce(sum(jobs), 0)::bigint FROM job_projects{WhereClause}"
        : $"SELECT count(*) FROM jobs{WhereClause}";

    /// <summary>Both statements, for one round trip (run in one snapshot: a transaction of repeatable read).</summary>
    public NpgsqlBatch Batch(NpgsqlConnection connection) => new(connection)
    {
        BatchCommands = { Command(Page, PageValues), Command(Total, _values) },
    };

    private string WhereClause => _conditions.Count == 0 ? "" : $" WHERE {string.Join(" AND ", _conditions)}";

    /// <summary>Adds a condition on one value, written <c>$</c> in it.</summary>
    private void Where(string condition, object value)
    {
        _values.Add(value);
        _conditions.Add(condition.Replace("$", $"${_values.Count}", StringComparison.Ordinal));
    }

    private static NpgsqlBatchCommand Command(string sql, IEnumerable<object> values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new() { Value = value });
        return command;
    }
}
