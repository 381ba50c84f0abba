using System.Net;
using System.Net.Http.Json;
using JobLogs.Jobs;
using JobLogs.Workers;
using Polly;

namespace JobLogs.Worker.Api;

/// <summary>The worker's side of the worker protocol. Nothing here retries: re-sending a report is the job run's deliberate choice.</summary>
internal sealed class ApiClient(HttpClient http)
{
    public async Task<Claim?> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken)
    {
        using var response = await Post(WorkerRoutes.Claims, request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
            return null;
        await EnsureSuccess(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<Claim>(Json.Options, cancellationToken);
    }

    public async Task<LeaseReply<HeartbeatAnswer>> HeartbeatAsync(Job job, Heartbeat heartbeat, CancellationToken cancellationToken)
    {
        using var response = await Post(WorkerRoutes.Heartbeat(job.ProjectId, job.Id), heartbeat, cancellationToken);
        return await Reply<HeartbeatAnswer>(response, cancellationToken);
    }

    public async Task<LeaseReply<Job>> ReportAsync(Job job, Report report, CancellationToken cancellationToken)
    {
        using var response = await Post(WorkerRoutes.Report(job.ProjectId, job.Id), report, cancellationToken);
        return await Reply<Job>(response, cancellationToken);
    }

    // The resilience handler rejects a call it timed out, or one its circuit breaker holds back while the Api keeps
    // failing: to the worker that is the Api not answering, like a refused connection, and handled the same way.
    private async Task<HttpResponseMessage> Post<T>(string path, T body, CancellationToken cancellationToken)
    {
        try
        {
            // Every call names the protocol this worker speaks: the Api refuses another one in a sentence.
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json.Options) };
            request.Headers.Add(WorkerProtocol.VersionHeader, WorkerProtocol.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return await http.SendAsync(request, cancellationToken);
        }
        catch (ExecutionRejectedException ex)
        {
            throw new HttpRequestException($"The Api did not answer POST {path}: {ex.Message}", ex);
        }
    }

    private static async Task<LeaseReply<T>> Reply<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Conflict)
            return new LeaseReply<T>(default, await Detail(response, cancellationToken));
        await EnsureSuccess(response, cancellationToken);
        return new LeaseReply<T>(await response.Content.ReadFromJsonAsync<T>(Json.Options, cancellationToken), null);
    }

    private static async Task EnsureSuccess(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException(
                $"The Api answered {(int)response.StatusCode} to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {await Detail(response, cancellationToken)}",
                null, response.StatusCode);
    }

    private static async Task<string> Detail(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<ProblemText>(Json.Options, cancellationToken);
            return problem?.Detail ?? problem?.Title ?? response.ReasonPhrase ?? "";
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException)
        {
            return response.ReasonPhrase ?? "";
        }
    }

    private sealed record ProblemText(string? Title, string? Detail);
}

/// <summary>An answer to a lease-carrying call: the value, or the reason the lease no longer holds the job (409).</summary>
internal sealed record LeaseReply<T>(T? Value, string? Conflict)
{
    public bool LeaseLost => Conflict is not null;
}
