using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using JobLogs.Worker.Jobs;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// ComfyUI's HTTP API (COMFYUI.md): submit, history, queue, interrupt, view. Each call is one span of the attempt
/// (<see cref="JobTelemetry.StartCall"/>, target <c>comfyui</c>; the HttpClient span under it carries the trace to ComfyUI
/// in a <c>traceparent</c> header) and one job log entry (<c>component: comfyui</c>, <c>data.call {target, op, status}</c>,
/// <c>durationMs</c>) unless the caller summarises a series of them (polling). Targets and card locations are endpoints
/// without credentials: the token travels in a header.
/// </summary>
internal sealed partial class ComfyUIClient(IHttpClientFactory clients, IOptions<ComfyUIOptions> options, ILogger<ComfyUIClient> logger)
{
    /// <summary>The named HttpClient (WorkerServices sets its address, token and resilience).</summary>
    public const string HttpClientName = "comfyui";

    /// <summary>What the spans of ComfyUI calls name as their target.</summary>
    public const string CallTarget = "comfyui";

    private ComfyUIOptions Settings => options.Value;

    // A client per call from the factory: this singleton then follows the factory's handler rotation.
    private HttpClient Http => clients.CreateClient(HttpClientName);

    /// <summary>The endpoint of <paramref name="path"/> (relative to ComfyUI's address), without query or credentials.</summary>
    public string Endpoint(string path)
    {
        var uri = new UriBuilder(new Uri(Settings.BaseUri, path)) { UserName = "", Password = "", Query = "", Fragment = "" };
        return uri.Uri.GetLeftPart(UriPartial.Path);
    }

    public string Where(string method, string path) => $"{method} {Endpoint(path)}";

    /// <summary>ComfyUI's answer to an accepted prompt: its queue number, and the node errors of outputs it will skip.</summary>
    public sealed record Submitted(double Number, JsonElement Answer);

    /// <summary>
    /// POST /prompt with our client id and prompt id. Null when ComfyUI refused the workflow (400): <paramref name="rejection"/>
    /// holds its answer. Throws <see cref="ComfyUICallException"/> for everything else that is not a 200 with ComfyUI's JSON.
    /// </summary>
    public async Task<Submitted?> SubmitAsync(JsonObject prompt, string clientId, string promptId, Action<JsonElement> rejection, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["prompt"] = prompt.DeepClone(), ["client_id"] = clientId, ["prompt_id"] = promptId };
        var answer = await SendAsync("submit", HttpMethod.Post, "prompt", body, Settings.RequestTimeout, cancellationToken,
            data: (status, json) => status == 400 && json is { } j ? PromptErrors.RejectionData(j) : null,
            // A lost answer is looked up next (the prompt may be queued): only a sure failure is an error.
            failureLevel: failure => failure.Failure is CallFailure.ConnectionLost or CallFailure.Timeout ? LogLevel.Warning : LogLevel.Error);
        if (answer.Status == 400 && answer.Json is { } refused && refused.TryGetProperty("error", out _))
        {
            rejection(refused);
            return null;
        }
        EnsureSuccess(answer, "POST", "prompt");
        if (answer.Json is not { ValueKind: JsonValueKind.Object } json || !json.TryGetProperty("prompt_id", out _))
            throw CallFailures.BadAnswer(answer, Where("POST", "prompt"));
        return new Submitted(json.TryGetProperty("number", out var n) && n.TryGetDouble(out var number) ? number : 0, json);
    }

    /// <summary>GET /history/{id}: the prompt's entry once it finished; null while it is queued or running (or unknown).</summary>
    public async Task<JsonElement?> HistoryAsync(string promptId, CancellationToken cancellationToken, bool log = true)
    {
        var answer = await SendAsync("history", HttpMethod.Get, $"history/{promptId}", null, Settings.RequestTimeout, cancellationToken, log);
        EnsureSuccess(answer, "GET", $"history/{promptId}");
        if (answer.Json is not { ValueKind: JsonValueKind.Object } json)
            throw CallFailures.BadAnswer(answer, Where("GET", $"history/{promptId}"));
        return json.TryGetProperty(promptId, out var entry) && entry.ValueKind == JsonValueKind.Object ? entry.Clone() : null;
    }

    public enum QueuePlace { Absent, Pending, Running }

    /// <summary>GET /queue: whether the prompt is running, waiting, or in neither list.</summary>
    public async Task<QueuePlace> QueueAsync(string promptId, CancellationToken cancellationToken, bool log = true)
    {
        var answer = await SendAsync("queue", HttpMethod.Get, "queue", null, Settings.RequestTimeout, cancellationToken, log);
        EnsureSuccess(answer, "GET", "queue");
        if (answer.Json is not { ValueKind: JsonValueKind.Object } json)
            throw CallFailures.BadAnswer(answer, Where("GET", "queue"));
        return Contains(json, "queue_running", promptId) ? QueuePlace.Running
            : Contains(json, "queue_pending", promptId) ? QueuePlace.Pending
            : QueuePlace.Absent;
    }

    /// <summary>POST /queue {delete: [id]}: takes a prompt that has not started out of the queue.</summary>
    public async Task DeleteFromQueueAsync(string promptId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync("delete", HttpMethod.Post, "queue", new JsonObject { ["delete"] = new JsonArray(promptId) }, Settings.RequestTimeout, cancellationToken,
            failureLevel: _ => LogLevel.Warning);
        EnsureSuccess(answer, "POST", "queue");
    }

    /// <summary>POST /interrupt {prompt_id}: stops the prompt if it is the one running (and nothing else).</summary>
    public async Task InterruptAsync(string promptId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync("interrupt", HttpMethod.Post, "interrupt", new JsonObject { ["prompt_id"] = promptId }, Settings.RequestTimeout, cancellationToken,
            failureLevel: _ => LogLevel.Warning);
        EnsureSuccess(answer, "POST", "interrupt");
    }

    public sealed record Downloaded(long Bytes, string ContentType);

    /// <summary>GET /view of one output, streamed into <paramref name="destination"/> (written whole, then renamed into place).</summary>
    public async Task<Downloaded> DownloadAsync(OutputFile file, string destination, CancellationToken cancellationToken)
    {
        var path = $"view?filename={Uri.EscapeDataString(file.Filename)}&subfolder={Uri.EscapeDataString(file.Subfolder)}&type={Uri.EscapeDataString(file.Type)}";
        var where = $"GET {Endpoint("view")}?filename={file.Filename}&subfolder={file.Subfolder}&type={file.Type}";
        var started = Stopwatch.GetTimestamp();
        using var call = JobTelemetry.StartCall(CallTarget, "download");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Settings.DownloadTimeout);
        var status = "";
        long bytes = 0;
        try
        {
            using var response = await Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = ((int)response.StatusCode).ToString();
            if (!response.IsSuccessStatusCode)
                throw new ComfyUICallException(CallFailures.KindOf((int)response.StatusCode), where,
                    $"ComfyUI answered {(int)response.StatusCode} to the download of {file.Filename}.", (int)response.StatusCode);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            var temp = destination + ".part";
            await using (var target = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await response.Content.CopyToAsync(target, timeout.Token);
                bytes = target.Length;
            }
            File.Move(temp, destination, overwrite: true);
            var contentType = response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream";
            LogCall("download", "GET", "view", status, started, LogLevel.Information, new() { ["file"] = file.Filename, ["bytes"] = bytes, ["contentType"] = contentType });
            JobTelemetry.EndCall(call, status, failed: false);
            return new Downloaded(bytes, contentType);
        }
        catch (Exception ex) when (CallFailures.Of(ex, where, Endpoint(""), timeout, cancellationToken) is { } failure)
        {
            LogCall("download", "GET", "view", CallFailures.Describe(failure, status), started, LogLevel.Error, new() { ["file"] = file.Filename });
            JobTelemetry.EndCall(call, CallFailures.Describe(failure, status), failed: true);
            throw failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            JobTelemetry.EndCall(call, Canceled, failed: false);
            throw;
        }
    }

    // --- plumbing -------------------------------------------------------------------------------------------------

    private const string Canceled = "canceled";

    /// <summary>One call: its span, and its job log entry unless <paramref name="log"/> is false (the caller summarises).</summary>
    private async Task<ComfyUIAnswer> SendAsync(
        string op, HttpMethod method, string path, JsonNode? body, TimeSpan timeout, CancellationToken cancellationToken, bool log = true,
        Func<int, JsonElement?, Dictionary<string, object?>?>? data = null, Func<ComfyUICallException, LogLevel>? failureLevel = null)
    {
        var where = Where(method.Method, path);
        var started = Stopwatch.GetTimestamp();
        using var call = JobTelemetry.StartCall(CallTarget, op);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var answer = await ComfyUIAnswer.ReadAsync(response, deadline.Token);
            var status = answer.Status;
            // The entry is written while the call's span is current, so it points at the span.
            if (log)
                LogCall(op, method.Method, path, status.ToString(), started, status < 400 ? LogLevel.Information : LogLevel.Error, data?.Invoke(status, answer.Json));
            JobTelemetry.EndCall(call, status.ToString(), failed: status >= 400);
            return answer;
        }
        catch (Exception ex) when (CallFailures.Of(ex, where, Endpoint(""), deadline, cancellationToken) is { } failure)
        {
            if (log)
                LogCall(op, method.Method, path, CallFailures.Describe(failure, null), started, failureLevel?.Invoke(failure) ?? LogLevel.Error, null);
            JobTelemetry.EndCall(call, CallFailures.Describe(failure, null), failed: true);
            throw failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            JobTelemetry.EndCall(call, Canceled, failed: false);
            throw;
        }
    }

    private void EnsureSuccess(ComfyUIAnswer answer, string method, string path)
    {
        if (answer.Status is >= 200 and < 300)
            return;
        throw CallFailures.Unsuccessful(answer, Where(method, path), tokenSet: Settings.Token is not null);
    }

    private static bool Contains(JsonElement queue, string list, string promptId) =>
        queue.TryGetProperty(list, out var items) && items.ValueKind == JsonValueKind.Array
        && items.EnumerateArray().Any(item => item.ValueKind == JsonValueKind.Array && item.GetArrayLength() > 1
            && item[1].ValueKind == JsonValueKind.String && item[1].GetString() == promptId);

    private void LogCall(string op, string method, string path, string status, long started, LogLevel level, Dictionary<string, object?>? extra) =>
        CallEntry.Write(logger, op, method, Endpoint(path), status, started, level, extra);

    /// <summary>ComfyUI's address and the token header, for every request of the named client.</summary>
    public static void Configure(HttpClient http, ComfyUIOptions settings)
    {
        http.BaseAddress = settings.BaseUri;
        // The calls time themselves (RequestTimeout, DownloadTimeout): HttpClient's own 100 s must not cut a download short.
        http.Timeout = Timeout.InfiniteTimeSpan;
        if (!string.IsNullOrEmpty(settings.Token))
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
    }
}
