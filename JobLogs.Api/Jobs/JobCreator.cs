using System.Text.Json;
using JobLogs.Api.Store;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Api.Jobs;

/// <summary>
/// Turns a create request into a queued job: validates it (secrets only by reference), writes the job log's first entry,
/// saves the record.
/// </summary>
internal sealed class JobCreator(IJobStore store, InputSecrets secrets, JobLogTally tally, TimeProvider time, ILogger<JobCreator> logger)
{
    public static readonly IReadOnlySet<string> KnownTypes = new HashSet<string>([JobTypes.PythonTool, JobTypes.ComfyUIWorkflow]);

    public async Task<CreateResult> CreateAsync(string projectId, CreateJobRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Type is not { Length: > 0 } type)
            return CreateResult.Invalid("type", "The job type is missing: give \"type\", e.g. \"python.tool\".");
        if (!KnownTypes.Contains(type))
            return CreateResult.Invalid("type", $"Unknown job type '{type}'; known types: {string.Join(", ", KnownTypes.Order())}.");
        if (request.Input is not { ValueKind: JsonValueKind.Object } input)
            return CreateResult.Invalid("input", "The job input is missing or not a JSON object.");
        if (InputProblem(type, input) is { } inputProblem)
            return CreateResult.Invalid("input", inputProblem);
        if (secrets.Problem(input) is { } secretProblem)
            return CreateResult.Invalid("input", secretProblem);
        if (request.SpecId is not null && Ids.Problem("specId", request.SpecId) is { } specProblem)
            return CreateResult.Invalid("specId", specProblem);
        if (request.AssetId is not null && Ids.Problem("assetId", request.AssetId) is { } assetProblem)
            return CreateResult.Invalid("assetId", assetProblem);

        var now = time.GetUtcNow();
        var jobId = Ids.NewJobId(now);
        var record = new JobRecord
        {
            Id = jobId, ProjectId = projectId, Type = type, Status = JobStatus.Queued, Input = input.Clone(),
            CreatedAt = now, LogPath = DataLayout.JobLogRelative(projectId, jobId), SpecId = request.SpecId, AssetId = request.AssetId,
        };
        if (record.SchemaProblems() is { Count: > 0 } problems)
            return CreateResult.Invalid("input", $"The job does not match the schema of {type}: {string.Join("; ", problems)}");

        // The log comes first: a job whose log cannot be written is refused rather than queued blind.
        var key = new JobKey(projectId, record.Id, 0);
        var attempt = tally.Watch(key);
        using (logger.BeginJobScope(projectId, record.Id, 0))
            logger.LogWithData(LogLevel.Information, null, IdsOf(record), "Job created: {Type}; input: {Input}", type, InputSummary.Of(type, input));
        tally.Stop(key);
        if (attempt.WriteFailure is { } failure)
            return CreateResult.Unavailable($"The job log {record.LogPath} could not be written ({failure.Message}); the job was not created.");

        await store.AddAsync(record, cancellationToken);
        return CreateResult.Created(record);
    }

    /// <summary>What a schema would say cryptically, said in a sentence first.</summary>
    private static string? InputProblem(string type, JsonElement input)
    {
        if (type != JobTypes.ComfyUIWorkflow)
            return null;
        var inline = input.TryGetProperty("workflow", out _);
        var file = input.TryGetProperty("workflowPath", out var path);
        if (inline == file)
            return "Give the workflow either inline (\"workflow\": an API-format prompt) or as a file (\"workflowPath\"), not both and not neither.";
        if (file && path.ValueKind == JsonValueKind.String && path.GetString() is { } relative
            && (Path.IsPathRooted(relative) || relative.Replace('\\', '/').Split('/').Contains("..")))
            return $"workflowPath '{relative}' must be a path under the project's files folder, without '..'.";
        return null;
    }

    private static Dictionary<string, object?> IdsOf(JobRecord record)
    {
        var ids = new Dictionary<string, object?>();
        if (record.SpecId is not null) ids["specId"] = record.SpecId;
        if (record.AssetId is not null) ids["assetId"] = record.AssetId;
        return ids;
    }
}

internal sealed record CreateResult(JobRecord? Job, string? Field, string? Problem, bool IsUnavailable)
{
    public static CreateResult Created(JobRecord job) => new(job, null, null, false);
    public static CreateResult Invalid(string field, string problem) => new(null, field, problem, false);
    public static CreateResult Unavailable(string problem) => new(null, null, problem, true);
}
