using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace JobLogs.Testing;

public sealed partial class CaptureReplay
{
    /// <summary>One WebSocket session: every message in order, text as JSON, binary frames as "binary".</summary>
    private sealed class Session : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly List<(string Type, JsonElement? Data)> _messages = [];
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        public static async Task<Session> OpenAsync(Uri address, string? token, IEnumerable<string> sent)
        {
            var session = new Session();
            if (token is not null)
                session._socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
            await session._socket.ConnectAsync(address, CancellationToken.None);
            foreach (var message in sent)
                await session._socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
            session._loop = session.ReceiveAsync();
            return session;
        }

        public int Count { get { lock (_messages) return _messages.Count; } }

        public List<(string Type, JsonElement? Data)> Snapshot() { lock (_messages) return [.. _messages]; }

        public IEnumerable<string> Types() => Snapshot().Select(m => m.Type);

        /// <summary>The index of the prompt's final "executing" {node: null} from <paramref name="start"/>, or null.</summary>
        public int? DoneIndex(string promptId, int start)
        {
            var messages = Snapshot();
            for (var i = start; i < messages.Count; i++)
                if (messages[i] is { Type: "executing", Data: { } d } && d.GetProperty("data").TryGetProperty("node", out var node)
                    && node.ValueKind == JsonValueKind.Null && d.GetProperty("data").Str("prompt_id") == promptId)
                    return i;
            return null;
        }

        private async Task ReceiveAsync()
        {
            var buffer = new byte[1 << 16];
            var message = new MemoryStream();
            try
            {
                while (true)
                {
                    var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                        return;
                    message.Write(buffer, 0, result.Count);
                    if (!result.EndOfMessage)
                        continue;
                    var entry = result.MessageType == WebSocketMessageType.Text
                        ? JsonDocument.Parse(message.ToArray()).RootElement.Clone() is var json ? (json.Str("type")!, (JsonElement?)json) : default
                        : ("binary", null);
                    lock (_messages)
                        _messages.Add(entry);
                    message.SetLength(0);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _socket.Dispose();
            _stop.Dispose();
        }
    }
}
