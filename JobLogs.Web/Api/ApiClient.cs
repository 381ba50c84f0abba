using System.Net;
using System.Net.Http.Json;
using JobLogs.Events;
using JobLogs.Failures;
using JobLogs.Health;
using JobLogs.Jobs;

namespace JobLogs.Web.Api;

/// <summary>What the pages read from the Api, server side.</summary>
public sealed class ApiClient(HttpClient http)
{
    public async Task<IReadOnlyList<string>> ProjectsAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<List<string>>("/api/projects", Json.Options, cancellationToken) ?? [];

    public async Task<JobPage> JobsAsync(string projectId, string query, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<JobPage>($"/api/projects/{Uri.EscapeDataString(projectId)}/jobs{query}", Json.Options, cancellationToken)
        ?? new JobPage([], 0);

    public async Task<FailureGroupsPage> FailuresAsync(string query, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<FailureGroupsPage>($"/api/failures{query}", Json.Options, cancellationToken)
        ?? new FailureGroupsPage(DateTimeOffset.UtcNow, 0, []);

    public async Task<SystemStatus> SystemStatusAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<SystemStatus>("/api/system/status", Json.Options, cancellationToken)
        ?? throw new InvalidOperationException("The Api answered an empty system status.");

    /// <summary>The project's events before <paramref name="before"/> (the newest when null); null when the Api refuses the offset.</summary>
    public async Task<ProjectEventPage?> EventsAsync(string projectId, long? before, int limit, CancellationToken cancellationToken)
    {
        var query = before is { } offset ? $"?before={offset}&limit={limit}" : $"?limit={limit}";
        using var response = await http.GetAsync($"/api/projects/{Uri.EscapeDataString(projectId)}/events{query}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest)
            return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<ProjectEventPage>(Json.Options, cancellationToken);
    }

    public async Task<Job?> JobAsync(string projectId, string jobId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/api/projects/{Uri.EscapeDataString(projectId)}/jobs/{Uri.EscapeDataString(jobId)}", cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
            return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Job>(Json.Options, cancellationToken);
    }
}
