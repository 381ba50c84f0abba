using System.Text.Json;

namespace JobLogs.Worker.Jobs;

/// <summary>Runs one job type. Returns the job's output; throws <see cref="JobFailedException"/> with a card when the job fails.</summary>
internal interface IJobRunner
{
    string Type { get; }

    Task<JsonElement?> RunAsync(JobContext context, CancellationToken cancellationToken);
}
