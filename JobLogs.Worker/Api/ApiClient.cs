using System.Net;
using System.Net.Http.Json;
using JobLogs.Jobs;
using JobLogs.Workers;
using Polly;

namespace JobLogs.Worker.Api;

/// <summary>The worker's side of the worker protocol. Nothing here retries: re-sending a report is the job run's deliberate choice.</summary>
internal sealed class ApiClient(HttpClient http)
{
    /// <summary>Every call names the protocol this worker speaks (a default header of the client): the Api refuses another one in a sentence.</summary>
    public static void Configure(HttpClient http, Uri api)
    {
        http.BaseAddress = api;
        http.DefaultRequestHeaders.Add(WorkerProtocol.VersionHeader, WorkerProtocol.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

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

    public async Task<LeaseReply<Job>> ReportAsync(string projectId, string jobId, Report report, CancellationToken cancellationToken)
    {
        using var response = await Post(WorkerRoutes.Report(projectId, jobId), report, cancellationToken);
        return await Reply<Job>(response, cancellationToken);
    }

    /// <summary>
    /// A file of the project a job names as its input (<see cref="WorkerRoutes.ProjectFile"/>): its bytes, or why there
    /// are none (404: missing; 400: a path the Api refuses, with its sentence; more than <paramref name="maxBytes"/>).
    /// </summary>
    public async Task<ProjectFileReply> GetProjectFileAsync(string projectId, string path, long maxBytes, CancellationToken cancellationToken)
    {
        var route = WorkerRoutes.ProjectFile(projectId, path);
        using var response = await Send(() => http.GetAsync(route, HttpCompletionOption.ResponseHeadersRead, cancellationToken), "GET", route);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return new ProjectFileReply(ProjectFileStatus.Missing, null, await Detail(response, cancellationToken));
        if (response.StatusCode == HttpStatusCode.BadRequest)
            return new ProjectFileReply(ProjectFileStatus.Refused, null, await Detail(response, cancellationToken));
        await EnsureSuccess(response, cancellationToken);
        if (response.Content.Headers.ContentLength > maxBytes)
            return new ProjectFileReply(ProjectFileStatus.TooLarge, null, null);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var bytes = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (bytes.Length + read > maxBytes)
                return new ProjectFileReply(ProjectFileStatus.TooLarge, null, null);
            bytes.Write(buffer, 0, read);
        }
        return new ProjectFileReply(ProjectFileStatus.Found, bytes.ToArray(), null);
    }

    /// <summary>
    /// Uploads one output of the attempt by name (<see cref="WorkerRoutes.Output"/>) with its lease token, streaming
    /// <paramref name="content"/>; the Api's stored asset, or the reason the lease no longer holds the job (409).
    /// </summary>
    public async Task<LeaseReply<UploadedOutput>> PutOutputAsync(
        Job job, string leaseToken, string name, Stream content, string contentType, CancellationToken cancellationToken)
    {
        var route = WorkerRoutes.Output(job.ProjectId, job.Id, name);
        using var request = new HttpRequestMessage(HttpMethod.Put, route) { Content = new StreamContent(content) };
        request.Headers.Add(WorkerProtocol.LeaseTokenHeader, leaseToken);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await Send(() => http.SendAsync(request, cancellationToken), "PUT", route);
        return await Reply<UploadedOutput>(response, cancellationToken);
    }

    /// <summary>
    /// Ships a batch of an attempt's numbered lines (<see cref="WorkerRoutes.Log"/>) with its lease token: the highest
    /// <c>seq</c> the Api holds, the <c>seq</c> it expects when the batch would leave a gap, or why it refuses the batch
    /// for good (the job or its log is gone, the token names no attempt, the lines are not the attempt's).
    /// </summary>
    public async Task<ShipReply> ShipLogAsync(string projectId, string jobId, string leaseToken, ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        var route = WorkerRoutes.Log(projectId, jobId);
        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new ReadOnlyMemoryContent(lines) };
        request.Headers.Add(WorkerProtocol.LeaseTokenHeader, leaseToken);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        using var response = await Send(() => http.SendAsync(request, cancellationToken), "POST", route);
        if (response.IsSuccessStatusCode)
            return new ShipReply((await response.Content.ReadFromJsonAsync<LogBatchAnswer>(Json.Options, cancellationToken))!.Seq, null, null);
        // The Api away or busy is sent again later; 507 is the Api saying it cannot store the log at all.
        if ((int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.InsufficientStorage || response.StatusCode == HttpStatusCode.TooManyRequests)
            await EnsureSuccess(response, cancellationToken);
        var problem = await Problem(response, cancellationToken);
        return problem.ExpectedSeq is { } expected
            ? new ShipReply(null, expected, null)
            : new ShipReply(null, null, problem.Detail ?? problem.Title ?? $"the Api answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    // The resilience handler rejects a call it timed out, or one its circuit breaker holds back while the Api keeps
    // failing: to the worker that is the Api not answering, like a refused connection, and handled the same way.
    private static async Task<HttpResponseMessage> Send(Func<Task<HttpResponseMessage>> send, string method, string path)
    {
        try
        {
            return await send();
        }
        catch (ExecutionRejectedException ex)
        {
            throw new HttpRequestException($"The Api did not answer {method} {path}: {ex.Message}", ex);
        }
    }

    private Task<HttpResponseMessage> Post<T>(string path, T body, CancellationToken cancellationToken) =>
        Send(() => http.PostAsJsonAsync(path, body, Json.Options, cancellationToken), "POST", path);

    private static async Task<LeaseReply<T>> Reply<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            var problem = await Problem(response, cancellationToken);
            return new LeaseReply<T>(default, problem.Detail ?? problem.Title ?? response.ReasonPhrase ?? "", problem.ExpectedSeq);
        }
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
        var problem = await Problem(response, cancellationToken);
        return problem.Detail ?? problem.Title ?? response.ReasonPhrase ?? "";
    }

    private static async Task<ProblemText> Problem(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<ProblemText>(Json.Options, cancellationToken) ?? new ProblemText(null, null, null);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException)
        {
            return new ProblemText(null, null, null);
        }
    }

    private sealed record ProblemText(string? Title, string? Detail, long? ExpectedSeq);
}

internal enum ProjectFileStatus { Found, Missing, Refused, TooLarge }

/// <summary>A project file the Api was asked for: its bytes when found, otherwise the Api's sentence (missing or refused).</summary>
internal sealed record ProjectFileReply(ProjectFileStatus Status, byte[]? Bytes, string? Problem);

/// <summary>
/// An answer to a lease-carrying call: the value, or the reason the lease no longer holds the job (409). A 409 that names
/// <paramref name="ExpectedSeq"/> is not a lost lease: the Api waits for the attempt's log up to there (retry the call).
/// </summary>
internal sealed record LeaseReply<T>(T? Value, string? Conflict, long? ExpectedSeq = null)
{
    public bool LeaseLost => Conflict is not null && ExpectedSeq is null;
    public bool LogBehind => ExpectedSeq is not null;
}

/// <summary>
/// The answer to a log batch: the highest seq the Api holds (<paramref name="Seq"/>), the seq it expects instead
/// (<paramref name="ExpectedSeq"/>), or why it refuses this spool for good (<paramref name="Refused"/>).
/// </summary>
internal sealed record ShipReply(long? Seq, long? ExpectedSeq, string? Refused);
