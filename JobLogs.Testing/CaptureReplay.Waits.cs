using System.Text.Json;

namespace JobLogs.Testing;

public sealed partial class CaptureReplay
{
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
}
