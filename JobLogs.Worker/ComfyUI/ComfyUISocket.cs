using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// A WebSocket session with ComfyUI (<c>/ws?clientId=…</c>): its JSON messages, read by a loop of their own into a
/// channel, so a reader can wait for the next one with a timeout (cancelling a receive would abort the socket).
/// Binary frames (previews) are skipped.
/// </summary>
internal sealed class ComfyUISocket : IAsyncDisposable
{
    private const int MaxMessageBytes = 8 * 1024 * 1024;

    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonElement> _messages = Channel.CreateUnbounded<JsonElement>(new() { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;

    private ComfyUISocket(ClientWebSocket socket, Uri endpoint)
    {
        _socket = socket;
        Endpoint = endpoint.GetLeftPart(UriPartial.Path);
        _receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>ws(s)://host/ws without the query.</summary>
    public string Endpoint { get; }

    /// <summary>Why the session ended, once it did: closed by ComfyUI, or the error.</summary>
    public string? Ended { get; private set; }

    public static Uri Address(ComfyUIOptions settings, string clientId)
    {
        var builder = new UriBuilder(new Uri(settings.BaseUri, "ws"))
        {
            Scheme = settings.BaseUri.Scheme == "https" ? "wss" : "ws",
            Query = $"clientId={Uri.EscapeDataString(clientId)}",
        };
        return builder.Uri;
    }

    /// <summary>Opens the session; throws <see cref="WebSocketException"/> or a timeout when ComfyUI does not take it.</summary>
    public static async Task<ComfyUISocket> ConnectAsync(Uri address, string? token, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
            if (!string.IsNullOrEmpty(token))
                socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            await socket.ConnectAsync(address, deadline.Token);
            return new ComfyUISocket(socket, address);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public abstract record Read;
    public sealed record Message(JsonElement Value) : Read;
    public sealed record Silent : Read;
    public sealed record Closed(string Reason) : Read;

    /// <summary>The next message; <see cref="Silent"/> when none came within <paramref name="wait"/>; <see cref="Closed"/> once the session ended.</summary>
    public async Task<Read> NextAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (_messages.Reader.TryRead(out var ready))
            return new Message(ready);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(wait);
        try
        {
            if (await _messages.Reader.WaitToReadAsync(timer.Token) && _messages.Reader.TryRead(out var message))
                return new Message(message);
            return new Closed(Ended ?? "closed");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Silent();
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Ended = $"closed by ComfyUI ({result.CloseStatus?.ToString() ?? "no status"})";
                    break;
                }
                if (message.Length + result.Count <= MaxMessageBytes)
                    message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                    continue;
                if (result.MessageType == WebSocketMessageType.Text && message.Length <= MaxMessageBytes && Parse(message) is { } parsed)
                    _messages.Writer.TryWrite(parsed);
                message.SetLength(0);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            Ended ??= "closed by the worker";
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            Ended = $"broke: {ex.Message}";
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    private static JsonElement? Parse(MemoryStream message)
    {
        try
        {
            using var document = JsonDocument.Parse(message.GetBuffer().AsMemory(0, (int)message.Length));
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var close = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, close.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The session is over either way.
        }
        await _stop.CancelAsync();
        await _receiving;
        _socket.Dispose();
        _stop.Dispose();
    }
}
