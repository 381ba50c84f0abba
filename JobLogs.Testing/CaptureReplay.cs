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
}
