using System.Net.Http.Headers;
using System.Text.Json;
using JobLogs.Health;
using Microsoft.Extensions.Options;

namespace JobLogs.Api.Health;

/// <summary>
/// Whether ComfyUI answers, how full its queue is and how much VRAM it has (<c>/system_stats</c>, <c>/queue</c>). Asked
/// only when someone looks (the System page), and at most once per <see cref="CacheFor"/>, so a page left open does
/// not keep ComfyUI busy. One per Api (it holds the last answer).
/// </summary>
internal sealed class ComfyUIHealth(IHttpClientFactory clients, IOptions<ComfyUIOptions> options, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly SemaphoreSlim _probing = new(1, 1);
    private ComfyUIStatus? _last;

    public async Task<ComfyUIStatus> CheckAsync(CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(options.Value.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return new ComfyUIStatus(Configured: false, Problem: string.IsNullOrWhiteSpace(options.Value.Url) ? null : "ComfyUI:Url is not an http(s) URL.");
        if (Fresh(_last) is { } cached)
            return cached;
        await _probing.WaitAsync(cancellationToken);
        try
        {
            return Fresh(_last) ?? (_last = await ProbeAsync(url, cancellationToken));
        }
        finally
        {
            _probing.Release();
        }
    }

    private ComfyUIStatus? Fresh(ComfyUIStatus? status) => status?.CheckedAt is { } at && time.GetUtcNow() - at < CacheFor ? status : null;

    private async Task<ComfyUIStatus> ProbeAsync(Uri url, CancellationToken cancellationToken)
    {
        var shown = Shown(url);
        var now = time.GetUtcNow();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var stats = await GetJson(url, "system_stats", timeout.Token);
            using var queue = await GetJson(url, "queue", timeout.Token);
            var system = stats.RootElement.TryGetProperty("system", out var s) ? s : default;
            var devices = stats.RootElement.TryGetProperty("devices", out var d) && d.ValueKind == JsonValueKind.Array
                ? d.EnumerateArray().Select(device => new GpuDevice(
                    Text(device, "name") ?? "device", Text(device, "type"), Number(device, "vram_total"), Number(device, "vram_free"))).ToList()
                : [];
            return new ComfyUIStatus(true, shown, true, system.ValueKind == JsonValueKind.Object ? Text(system, "comfyui_version") : null,
                Count(queue.RootElement, "queue_running"), Count(queue.RootElement, "queue_pending"), devices, null, now);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            var problem = ex switch
            {
                TaskCanceledException when !cancellationToken.IsCancellationRequested => $"ComfyUI did not answer within {Timeout.TotalSeconds:0} s.",
                HttpRequestException { StatusCode: { } status } => $"ComfyUI answered {(int)status} {status}.",
                HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "ComfyUI refused the connection: is it running?",
                JsonException => "ComfyUI answered something that is not JSON: is the URL right?",
                _ => $"ComfyUI could not be reached: {ex.Message}",
            };
            return new ComfyUIStatus(true, shown, false, Problem: problem, CheckedAt: now);
        }
    }

    private async Task<JsonDocument> GetJson(Uri url, string route, CancellationToken cancellationToken)
    {
        // Relative to the configured path (a proxy may serve ComfyUI under one), never replacing its last segment.
        var root = url.AbsolutePath.EndsWith('/') ? url : new UriBuilder(url) { Path = url.AbsolutePath + "/" }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(root, route));
        if (!string.IsNullOrEmpty(options.Value.Token))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.Token);
        using var response = await clients.CreateClient(nameof(ComfyUIHealth)).SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
    }

    /// <summary>The address as it may be shown: scheme, host, port and path — never credentials or a query.</summary>
    private static string Shown(Uri url) => new UriBuilder(url) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri.ToString();

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private static int? Count(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : null;
}
