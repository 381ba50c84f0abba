using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace JobLogs.Testing;

/// <summary>
/// Replays the recorded requests and WebSocket sessions of a capture file against a stand-in and compares what comes
/// back with what the real ComfyUI answered: status codes, the shape of every JSON answer (keys and value types),
/// text answers and file signatures, and per prompt the sequence of WebSocket message types. Recorded prompt ids are
/// mapped to the stand-in's as prompts are accepted. What differs on purpose is listed in <see cref="Kept"/>.
/// </summary>
public sealed partial class CaptureReplay(StandIn standIn, string? slowCheckpoint = null) : IAsyncDisposable
{
    private const string Omitted = "(omitted here, saved separately)";
    private const string UuidReason = "newer ComfyUI and the stand-in accept a client-chosen prompt_id only as a lowercase UUID (v0.8.0 took any)";

    private static readonly HashSet<string> RejectedIds = ["l non-UUID id", "l uppercase UUID", "l integer id", "l duplicate id"];
    private static readonly HashSet<string> GoneHistory = ["l non-UUID id history", "l uppercase UUID history", "l integer id history", "l duplicate id history", "history of duplicated id"];
    private static readonly Dictionary<string, string> StatusOnly = new()
    {
        ["b1 view preview=jpeg;80"] = "preview= re-encoding is not emulated; the stored PNG is served",
        ["GET /"] = "the front-end page is a placeholder",
    };
    private static readonly HashSet<string> FreeLength = ["traceback", "argv"];

    private readonly HttpClient _http = standIn.Client();
    private readonly Dictionary<string, string> _ids = [];
    private readonly HashSet<string> _substituted = [];
    private readonly HashSet<string> _rejected = [];
    private readonly Dictionary<string, string> _tempNames = [];
    private readonly Dictionary<string, Session> _sessions = [];
    private readonly Dictionary<string, Dictionary<string, int>> _sliceStart = [];
    private int _seed = 1000;

    public List<string> Differences { get; } = [];
    public List<string> Kept { get; } = [];
    public int Compared { get; private set; }

    public async Task RunAsync(string file)
    {
        foreach (var (step, e) in Capture.Events(file))
        {
            switch (e.Str("kind"))
            {
                case "http": await HttpAsync(file, step, e); break;
                case "websocket": await SocketAsync(file, step, e); break;
                case "ws_slice": await SliceAsync(file, step, e); break;
            }
        }
        await CloseSessionsAsync(file);
    }

    private async Task HttpAsync(string file, string step, JsonElement e)
    {
        var method = e.Str("method")!;
        var label = e.Str("label") ?? $"{method} {e.Str("path")}";
        var name = $"{file}:{step}:{label}";
        if (e.TryGetProperty("request_body_binary", out _))
        {
            // JobLogs never uploads; comfyui-standin/selfcheck.py replays the uploads byte for byte.
            Kept.Add($"{name}: upload not replayed here");
            return;
        }
        var path = MapPath(e.Str("path")!);
        using var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
        var slow = false;
        if (e.TryGetProperty("request_body", out var body))
        {
            var mapped = Map(JsonNode.Parse(body.GetRawText()));
            if (path == "/prompt" && mapped?["prompt"] is JsonObject prompt && prompt.Count > 20)
            {
                mapped["prompt"] = SlowPrompt(++_seed);
                slow = true;
            }
            request.Content = new StringContent(mapped?.ToJsonString() ?? "null", Encoding.UTF8, "application/json");
        }
        else if (e.TryGetProperty("request_body_raw", out var raw))
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(raw.GetString()!));
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(e.Str("request_content_type") ?? "application/json");
        }
        foreach (var header in e.GetProperty("request_headers").EnumerateArray())
            if (header[0].GetString() is "Origin" or "Range")
                request.Headers.TryAddWithoutValidation(header[0].GetString()!, header[1].GetString());

        await WaitBeforeAsync(e, path);
        var before = _sessions.ToDictionary(s => s.Key, s => s.Value.Count);
        using var response = await _http.SendAsync(request);
        var status = (int)response.StatusCode;
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var recorded = e.GetProperty("response_body");
        if (method == "POST" && path == "/prompt" && status == 200 && e.GetProperty("status").GetInt32() == 200)
        {
            var ours = JsonDocument.Parse(bytes).RootElement.Str("prompt_id")!;
            var theirs = recorded.GetProperty("json").Str("prompt_id")!;
            _ids[theirs] = ours;
            _sliceStart[ours] = before;
            if (slow)
                _substituted.Add(theirs);
        }

        if (RejectedIds.Contains(label))
        {
            _rejected.Add(recorded.GetProperty("json").Str("prompt_id")!);
            Expect(name, status == 400 && JsonDocument.Parse(bytes).RootElement.GetProperty("error").Str("type") == "invalid_prompt_id", UuidReason);
            return;
        }
        if (GoneHistory.Contains(label))
        {
            Expect(name, status == 200 && Encoding.UTF8.GetString(bytes) == "{}", UuidReason + ", so the prompt never existed");
            return;
        }
        var diffs = new List<string>();
        if (status != e.GetProperty("status").GetInt32())
            diffs.Add($"status {status}, recorded {e.GetProperty("status").GetInt32()}");
        if (StatusOnly.TryGetValue(label, out var reason))
        {
            Expect(name, diffs.Count == 0, reason);
            return;
        }
        if (recorded.TryGetProperty("json", out var json))
        {
            JsonElement? mine = null;
            try { mine = JsonDocument.Parse(bytes).RootElement.Clone(); }
            catch (JsonException) { diffs.Add($"not JSON: {Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(80, bytes.Length)))}"); }
            if (mine is { } ours && !(json.ValueKind == JsonValueKind.String && json.GetString() == Omitted))
                Compare(json, ours, "$", null, false, diffs);
        }
        else if (recorded.TryGetProperty("text", out var text))
        {
            if (Encoding.UTF8.GetString(bytes) != text.GetString())
                diffs.Add($"text {Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(80, bytes.Length)))}, recorded {text.GetString()}");
        }
        else if (recorded.TryGetProperty("first_bytes_hex", out var hex) && !Convert.ToHexStringLower(bytes.AsSpan(0, Math.Min(8, bytes.Length))).StartsWith(hex.GetString()![..Math.Min(16, hex.GetString()!.Length)]))
            diffs.Add($"body starts {Convert.ToHexStringLower(bytes.AsSpan(0, Math.Min(8, bytes.Length)))}, recorded {hex.GetString()}");
        Result(name, diffs);
    }

    /// <summary>Gives the stand-in the time the recording client gave the real server (its prompt finished, its queue drained ...).</summary>
    private async Task WaitBeforeAsync(JsonElement e, string path)
    {
        var route = path.Split('?')[0];
        var recorded = e.GetProperty("response_body").TryGetProperty("json", out var json) ? json : default;
        var id = route[(route.LastIndexOf('/') + 1)..];
        if ((route.StartsWith("/history/") || route.StartsWith("/api/jobs/")) && e.GetProperty("status").GetInt32() == 200
            && recorded.ValueKind == JsonValueKind.Object && recorded.EnumerateObject().Any() && _ids.ContainsValue(id))
            await Until(async () => (await Get($"history/{id}")).EnumerateObject().Any(), 10);
        else if (route is "/queue" or "/api/queue" && e.Str("method") == "GET" && recorded.ValueKind == JsonValueKind.Object)
        {
            var want = (recorded.GetProperty("queue_running").GetArrayLength(), recorded.GetProperty("queue_pending").GetArrayLength());
            await Until(async () => await QueueShape() == want, 5);
        }
        else if (route == "/prompt" && e.Str("method") == "GET" && recorded.ValueKind == JsonValueKind.Object)
        {
            var want = recorded.GetProperty("exec_info").GetProperty("queue_remaining").GetInt32();
            await Until(async () => (await Get("prompt")).GetProperty("exec_info").GetProperty("queue_remaining").GetInt32() == want, 5);
        }
        else if (route is "/history" or "/api/jobs" && e.Str("method") == "GET" && !path.Contains("pending"))
            await Until(async () => await QueueShape() == (0, 0), 10);
    }

    private async Task<(int, int)> QueueShape()
    {
        var queue = await Get("queue");
        return (queue.GetProperty("queue_running").GetArrayLength(), queue.GetProperty("queue_pending").GetArrayLength());
    }

    private async Task<JsonElement> Get(string path) => JsonDocument.Parse(await _http.GetStringAsync(path)).RootElement.Clone();

    // A wait that ends quietly: if the stand-in never gets there, the comparison that follows says so.
    private static async Task Until(Func<Task<bool>> condition, int seconds)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until && !await condition())
            await Task.Delay(50);
    }

    private async Task SocketAsync(string file, string step, JsonElement e)
    {
        var path = e.Str("path")!;
        var sent = e.GetProperty("messages").EnumerateArray().Where(m => m.Str("dir") == "sent").Select(m => m.GetProperty("data").GetRawText()).ToList();
        var session = await Session.OpenAsync(new Uri(new Uri(standIn.Url.ToString().Replace("http://", "ws://")), path.TrimStart('/')), standIn.Token, sent);
        var received = e.GetProperty("messages").EnumerateArray().Where(m => m.Str("dir") == "recv").ToList();
        // The greeting: status (with sid) and the feature_flags answer, before any prompt.
        var greeting = received.TakeWhile(m => m.GetProperty("data").Str("type") == "feature_flags"
            || m.GetProperty("data").Str("type") == "status" && m.GetProperty("data").GetProperty("data").TryGetProperty("sid", out _)).Count();
        await Until(() => Task.FromResult(session.Count >= greeting), 3);
        if (step == "a_ws_hello")
        {
            var expected = received.Select(m => m.GetProperty("data").Str("type")!).ToList();
            await Until(() => Task.FromResult(session.Count >= expected.Count), 3);
            var diffs = new List<string>();
            if (!session.Types().SequenceEqual(expected))
                diffs.Add($"messages [{string.Join(", ", session.Types())}], recorded [{string.Join(", ", expected)}]");
            Result($"{file}:{step}:ws {path}", diffs);
            await session.DisposeAsync();
            return;
        }
        _sessions[e.Str("client_id") ?? path] = session;
    }

    private async Task SliceAsync(string file, string step, JsonElement e)
    {
        var name = $"{file}:{step}:ws messages of {e.Str("label") ?? e.Str("prompt_id")}";
        var theirs = e.Str("prompt_id")!;
        if (!_ids.TryGetValue(theirs, out var ours))
        {
            Expect(name, _rejected.Contains(theirs), UuidReason);
            return;
        }
        var session = _sessions[e.Str("client_id")!];
        var start = _sliceStart[ours][e.Str("client_id")!];
        await Until(() => Task.FromResult(session.DoneIndex(ours, start) is not null), 5);
        var diffs = new List<string>();
        if (session.DoneIndex(ours, start) is not { } end)
            diffs.Add("the prompt did not finish");
        else
        {
            var mine = session.Snapshot()[start..(end + 1)];
            var recorded = e.GetProperty("messages").EnumerateArray().ToList();
            var expectedTypes = recorded.Select(m => m.Str("type") == "text" ? m.GetProperty("data").Str("type")! : "binary").ToList();
            if (!mine.Select(m => m.Type).SequenceEqual(expectedTypes))
                diffs.Add($"types [{string.Join(", ", mine.Select(m => m.Type))}], recorded [{string.Join(", ", expectedTypes)}]");
            foreach (var (m, r) in mine.Zip(recorded))
                if (m.Data is { } data && r.Str("type") == "text" && r.GetProperty("data").Str("type") == m.Type)
                    Compare(r.GetProperty("data").GetProperty("data"), data.GetProperty("data"), "$." + m.Type, null, _substituted.Contains(theirs), diffs);
        }
        Result(name, diffs);
    }

    /// <summary>Sessions without slices (the control steps): each prompt must end the way it ended on the real server.</summary>
    private async Task CloseSessionsAsync(string file)
    {
        foreach (var (clientId, session) in _sessions)
        {
            var recordedEnds = Capture.Events(file).Select(x => x.Event)
                .Where(x => x.Str("kind") == "websocket" && x.Str("client_id") == clientId)
                .SelectMany(x => x.GetProperty("messages").EnumerateArray())
                .Where(m => m.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object && d.Str("type") is "execution_success" or "execution_error" or "execution_interrupted")
                .Select(m => (Id: m.GetProperty("data").GetProperty("data").Str("prompt_id")!, End: m.GetProperty("data").Str("type")!))
                .ToList();
            var diffs = new List<string>();
            foreach (var (id, end) in recordedEnds.Where(r => !_rejected.Contains(r.Id)))
            {
                var ours = _ids.GetValueOrDefault(id);
                var got = session.Snapshot().Where(m => m.Type is "execution_success" or "execution_error" or "execution_interrupted"
                    && m.Data?.GetProperty("data").Str("prompt_id") == ours).Select(m => m.Type).ToList();
                if (!got.SequenceEqual([end]))
                    diffs.Add($"prompt {id} ended with [{string.Join(", ", got)}], recorded {end}");
            }
            if (recordedEnds.Count > 0)
                Result($"{file}:ws session {clientId}: how its {recordedEnds.Count} prompts ended", diffs);
            await session.DisposeAsync();
        }
        _sessions.Clear();
    }

    /// <summary>Same shape: the same kinds of values, the same keys (objects keyed by ids are matched by id), arrays item by item.</summary>
    private void Compare(JsonElement expected, JsonElement actual, string path, string? key, bool lenient, List<string> diffs)
    {
        lenient |= Substituted(expected);
        if (Kind(expected) != Kind(actual))
        {
            diffs.Add($"{path}: {Kind(actual)}, recorded {Kind(expected)}");
            return;
        }
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var keys = expected.EnumerateObject().Select(p => p.Name).ToList();
                if (keys.Count == 0)
                    keys = [.. actual.EnumerateObject().Select(p => p.Name)];
                if (keys.Count > 0 && keys.All(Dynamic))
                {
                    if (expected.EnumerateObject().Any() != actual.EnumerateObject().Any())
                        diffs.Add($"{path}: {(actual.EnumerateObject().Any() ? "entries" : "no entries")}, recorded {(expected.EnumerateObject().Any() ? "entries" : "none")}");
                    if (lenient)
                        return;
                    foreach (var property in expected.EnumerateObject())
                        if (actual.TryGetProperty(_ids.GetValueOrDefault(property.Name, property.Name), out var value))
                            Compare(property.Value, value, $"{path}.{property.Name}", property.Name, lenient || _substituted.Contains(property.Name), diffs);
                    return;
                }
                var missing = expected.EnumerateObject().Select(p => p.Name).Except(actual.EnumerateObject().Select(p => p.Name)).ToList();
                var extra = actual.EnumerateObject().Select(p => p.Name).Except(expected.EnumerateObject().Select(p => p.Name)).ToList();
                if (missing.Count > 0 || extra.Count > 0)
                    diffs.Add($"{path}: keys differ (missing [{string.Join(", ", missing)}], extra [{string.Join(", ", extra)}])");
                foreach (var property in expected.EnumerateObject())
                    if (actual.TryGetProperty(property.Name, out var value))
                        Compare(property.Value, value, $"{path}.{property.Name}", property.Name, lenient, diffs);
                break;
            case JsonValueKind.Array:
                if (expected.GetArrayLength() != actual.GetArrayLength() && !lenient && !FreeLength.Contains(key ?? ""))
                    diffs.Add($"{path}: {actual.GetArrayLength()} items, recorded {expected.GetArrayLength()}");
                foreach (var (e, a, i) in expected.EnumerateArray().Zip(actual.EnumerateArray(), Enumerable.Range(0, int.MaxValue)))
                    Compare(e, a, $"{path}[{i}]", key, lenient, diffs);
                break;
            case JsonValueKind.String when key == "filename" && TempName().IsMatch(expected.GetString()!):
                _tempNames[expected.GetString()!] = actual.GetString()!;
                break;
        }
    }

    private bool Dynamic(string key) =>
        key.All(char.IsAsciiDigit) || Guid.TryParse(key, out _) || _ids.ContainsKey(key) || _ids.ContainsValue(key) || _substituted.Contains(key) || _rejected.Contains(key);

    private bool Substituted(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.GetArrayLength() == 5 && value[1].ValueKind == JsonValueKind.String && _substituted.Contains(value[1].GetString()!),
        JsonValueKind.Object => value.Str("prompt_id") is { } id && _substituted.Contains(id) || value.Str("id") is { } jobId && _substituted.Contains(jobId),
        _ => false,
    };

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var kind => kind.ToString().ToLowerInvariant(),
    };

    private JsonNode? Map(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(_ids.GetValueOrDefault(p.Key, p.Key), Map(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Map)]),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(_ids.GetValueOrDefault(s, s)),
        _ => node?.DeepClone(),
    };

    private string MapPath(string path)
    {
        var (route, query) = path.Contains('?') ? (path[..path.IndexOf('?')], path[path.IndexOf('?')..]) : (path, "");
        route = string.Join('/', route.Split('/').Select(part => _ids.GetValueOrDefault(part, part)));
        foreach (var (recorded, ours) in _tempNames)
            query = query.Replace(recorded, ours);
        return route + query;
    }

    /// <summary>Stands in for the recorded GPU-bound prompt (26 chained 2560 px scales): a sampler with many steps, interruptible per step.</summary>
    private JsonObject SlowPrompt(int seed) => JsonNode.Parse(JsonSerializer.Serialize(
        Workflows.TextToImage(seed, slowCheckpoint ?? "sd15-demo.safetensors", steps: 1000, prefix: "slow")))!.AsObject();

    private void Expect(string name, bool ok, string reason)
    {
        Compared++;
        if (ok)
            Kept.Add($"{name}: {reason}");
        else
            Differences.Add($"{name}: the kept difference did not show ({reason})");
    }

    private void Result(string name, List<string> diffs)
    {
        Compared++;
        if (diffs.Count > 0)
            Differences.Add($"{name}: {string.Join("; ", diffs.Take(5))}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions.Values)
            await session.DisposeAsync();
        _http.Dispose();
    }

    [GeneratedRegex("^ComfyUI_temp_[a-z]{5}_")]
    private static partial Regex TempName();

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
