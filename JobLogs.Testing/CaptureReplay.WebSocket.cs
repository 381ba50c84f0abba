using System.Text.Json;

namespace JobLogs.Testing;

public sealed partial class CaptureReplay
{
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
}
