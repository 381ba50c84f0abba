using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace JobLogs.ServiceDefaults.Logging.Shipping;

/// <summary>
/// Sends a batch of lines to the Api: a runtime batch to <c>POST /api/system/logs/{service}</c>, a job's to
/// <c>POST /api/projects/{projectId}/jobs/{jobId}/log</c>. Each carries its id as <c>Idempotency-Key</c>, so a batch sent
/// again after a lost answer is stored once.
/// </summary>
public sealed class LogUplink(HttpClient http)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public static readonly MediaTypeHeaderValue Ndjson = new("application/x-ndjson");

    public async Task<UplinkAnswer> SendAsync(string service, ShippingBatch batch, CancellationToken cancellationToken)
    {
        var path = batch.Job is { } job
            ? $"/api/projects/{Uri.EscapeDataString(job.ProjectId)}/jobs/{Uri.EscapeDataString(job.JobId)}/log"
            : $"/api/system/logs/{Uri.EscapeDataString(service)}";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(batch.Lines) };
        request.Content.Headers.ContentType = Ndjson;
        request.Headers.Add(IdempotencyKeyHeader, batch.Id);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
            return UplinkAnswer.Stored;
        // A 4xx other than these will not change by sending the same batch again: it is dropped, with the Api's sentence.
        if (response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict || (int)response.StatusCode >= 500)
            return UplinkAnswer.Unavailable($"the Api answered {(int)response.StatusCode}");
        return UplinkAnswer.Refused($"the Api answered {(int)response.StatusCode}: {await DetailAsync(response, cancellationToken)}");
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<Problem>(cancellationToken);
            return problem?.Detail ?? problem?.Title ?? response.ReasonPhrase ?? "no reason given";
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
        {
            return response.ReasonPhrase ?? "no reason given";
        }
    }

    private sealed record Problem(string? Title, string? Detail);
}

/// <summary>What became of a batch: stored, refused for good (with the reason), or to be sent again later.</summary>
public readonly record struct UplinkAnswer(bool IsStored, string? RefusedBecause, string? UnavailableBecause)
{
    public static readonly UplinkAnswer Stored = new(true, null, null);
    public static UplinkAnswer Refused(string reason) => new(false, reason, null);
    public static UplinkAnswer Unavailable(string reason) => new(false, null, reason);
}
