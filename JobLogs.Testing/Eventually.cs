using System.Diagnostics;

namespace JobLogs.Testing;

/// <summary>Waits for a condition that another process makes true, checking it again and again until a timeout.</summary>
public static class Eventually
{
    public static async Task<T> Get<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await probe() is { } value)
                    return value;
            }
            // Transient: a service not answering yet, a file being replaced, or a log line read while it is being written.
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or System.Text.Json.JsonException)
            {
                last = ex;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.", last);
    }

    public static async Task True(Func<Task<bool>> probe, TimeSpan timeout, string what) =>
        await Get<object>(async () => await probe() ? new object() : null, timeout, what);

    public static Task True(Func<bool> probe, TimeSpan timeout, string what) => True(() => Task.FromResult(probe()), timeout, what);
}
