extern alias WorkerAssembly;
using System.Net;
using System.Net.Sockets;
using JobLogs.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using WorkerAssembly::JobLogs.Worker.Api;

namespace JobLogs.Tests.Worker;

/// <summary>
/// The worker's Api client behind the standard resilience handler, as the service defaults give it: a call the handler
/// gives up on (an Api that takes the connection and never answers) is the Api not answering — the HttpRequestException
/// the claim loop, the lease keeper and the report handle — never an exception that would stop the worker.
/// </summary>
public sealed class ApiClientTests
{
    [Fact]
    public async Task A_call_the_resilience_handler_times_out_is_the_Api_not_answering()
    {
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start(); // accepts connections (the kernel's backlog) and never answers
        var services = new ServiceCollection();
        services.AddHttpClient<ApiClient>(http => http.BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)blackHole.LocalEndpoint).Port}/"))
            .AddStandardResilienceHandler(options =>
            {
                options.Retry.DisableForUnsafeHttpMethods();
                options.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(300);
                options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(2);
                options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(1);
            });
        await using var provider = services.BuildServiceProvider();

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() =>
            provider.GetRequiredService<ApiClient>().ClaimAsync(new ClaimRequest("w-1"), CancellationToken.None));

        Assert.StartsWith("The Api did not answer POST /api/worker/claims", failure.Message);
    }
}
