extern alias WorkerAssembly;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WorkerAssembly::JobLogs.Worker.Api;
using WorkerAssembly::JobLogs.Worker.Jobs;

namespace JobLogs.Tests.Worker;

/// <summary>A run whose lease cannot be renewed stops by itself before the lease expires (DESIGN.md, leases).</summary>
public sealed class LeaseKeeperTests : IAsyncLifetime
{
    private WebApplication _api = null!;
    private const int Hang = 0;
    private int _answer = StatusCodes.Status503ServiceUnavailable;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _api = builder.Build();
        // An Api that cannot renew anything: 503, 409 when the test says the lease is gone, or no answer at all (a
        // network that drops packets).
        _api.MapPost("/api/worker/projects/{projectId}/jobs/{jobId}/heartbeat", async (HttpContext context) =>
        {
            if (_answer == Hang)
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            return _answer == StatusCodes.Status409Conflict
                ? Results.Problem("The lease expired.", statusCode: 409)
                : Results.StatusCode(_answer);
        });
        await _api.StartAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private LeaseKeeper Keeper(TimeSpan leaseLeft, TimeSpan margin)
    {
        var http = new HttpClient { BaseAddress = new Uri(_api.Urls.First()) };
        var job = new Job
        {
            Id = "j1", ProjectId = "p1", Type = JobTypes.PythonTool, Status = JobStatus.Running,
            Input = JsonSerializer.SerializeToElement(new { tool = "hello" }), CreatedAt = DateTimeOffset.UtcNow, LogPath = "x",
        };
        var claim = new Claim(job, 1, "token", DateTimeOffset.UtcNow + leaseLeft, "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01");
        return new LeaseKeeper(new ApiClient(http), claim, () => new Heartbeat("token"), margin, TimeProvider.System, NullLogger.Instance);
    }

    /// <summary>The Api answers 503 to every heartbeat, or never answers at all.</summary>
    [Theory]
    [InlineData(StatusCodes.Status503ServiceUnavailable)]
    [InlineData(Hang)]
    public async Task An_unreachable_Api_stops_the_run_before_the_lease_expires(int answer)
    {
        _answer = answer;
        var expires = DateTimeOffset.UtcNow.AddSeconds(3);
        await using var keeper = Keeper(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        var stopped = new TaskCompletionSource<DateTimeOffset>();
        keeper.Token.Register(() => stopped.TrySetResult(DateTimeOffset.UtcNow));
        var at = await stopped.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(at < expires, $"Stopped at {at:O}, after the lease expired at {expires:O}.");
        Assert.Contains("could not be renewed", keeper.LostReason);
        Assert.False(keeper.CancelRequested);
    }

    [Fact]
    public async Task A_409_from_the_Api_stops_the_run_at_once()
    {
        _answer = StatusCodes.Status409Conflict;
        await using var keeper = Keeper(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(1));
        var stopped = new TaskCompletionSource();
        keeper.Token.Register(() => stopped.TrySetResult());
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("The lease expired.", keeper.LostReason);
    }
}
