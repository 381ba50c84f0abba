using System.Net.ServerSentEvents;

namespace JobLogs.Tests.Support;

/// <summary>A Server-Sent Events stream read with the field's parser (System.Net.ServerSentEvents), every read bounded by a timeout.</summary>
public sealed class SseEvents : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<string>> _items;
    private readonly CancellationTokenSource _stop = new();

    private SseEvents(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _items = SseParser.Create(body).EnumerateAsync(_stop.Token).GetAsyncEnumerator(_stop.Token);
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Opens <paramref name="path"/>; the answer's headers are checked by the caller through <see cref="Response"/>.</summary>
    public static async Task<SseEvents> OpenAsync(HttpClient http, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        // Read the body only on failure: a stream's body never ends by itself.
        if (!response.IsSuccessStatusCode)
            Assert.Fail($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return new SseEvents(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event, or null when the server ended the stream.</summary>
    public async Task<SseItem<string>?> NextAsync(TimeSpan? timeout = null)
    {
        var read = _items.MoveNextAsync().AsTask();
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        if (await Task.WhenAny(read, Task.Delay(limit)) != read)
            throw new TimeoutException($"No event within {limit.TotalSeconds:0.#} s.");
        return await read ? _items.Current : null;
    }

    /// <summary>The next event of <paramref name="type"/>, skipping the others (heartbeats, progress), within the timeout.</summary>
    public async Task<SseItem<string>?> NextOfAsync(string type, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await NextAsync(limit > clock.Elapsed ? limit - clock.Elapsed : TimeSpan.FromMilliseconds(1)) is { } item)
            if (item.EventType == type)
                return item;
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose(); // drops the connection, as a browser closing its tab does
        _stop.Dispose();
    }
}
