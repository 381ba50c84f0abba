using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JobLogs.Testing;

public sealed partial class CaptureReplay
{
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
}
