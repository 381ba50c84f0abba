using JobLogs.ServiceDefaults.Security;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Configuration;

namespace JobLogs.Web.Extensions;

/// <summary>
/// Forwards to the Api only what a browser needs (jobs, logs, streams, cancel/retry, events, approvals and exports), so the browser
/// talks to one origin. Anything else under /api, the worker's routes above all, is not forwarded. Log streams pass
/// through unbuffered: YARP copies and flushes each chunk as it arrives, and nothing here compresses responses. Requests
/// are balanced across the Api's replicas (cluster mode), each watched by active and passive health checks.
/// </summary>
internal static class ApiForwarding
{
    private const string Cluster = "api";

    /// <summary>The allow-list: method and path pattern of each forwarded route.</summary>
    public static readonly IReadOnlyList<(string Id, string Method, string Path)> Routes =
    [
        ("projects", "GET", "/api/projects"),
        ("jobs", "GET", "/api/projects/{projectId}/jobs"),
        ("job", "GET", "/api/projects/{projectId}/jobs/{jobId}"),
        ("job-log", "GET", "/api/projects/{projectId}/jobs/{jobId}/log"),
        ("job-log-stream", "GET", "/api/projects/{projectId}/jobs/{jobId}/log/stream"),
        ("job-asset", "GET", "/api/projects/{projectId}/jobs/{jobId}/assets/{**path}"),
        ("job-cancel", "POST", "/api/projects/{projectId}/jobs/{jobId}/cancel"),
        ("job-retry", "POST", "/api/projects/{projectId}/jobs/{jobId}/retry"),
        ("events", "GET", "/api/projects/{projectId}/events"),
        ("asset-approval", "POST", "/api/projects/{projectId}/assets/{assetId}/approval"),
        ("exports", "POST", "/api/projects/{projectId}/exports"),
        ("system-log", "GET", "/api/system/logs/{service}"),
        ("system-log-stream", "GET", "/api/system/logs/{service}/stream"),
        ("system-status", "GET", "/api/system/status"),
        ("failures", "GET", "/api/failures"),
    ];

    public static IServiceCollection AddApiForwarding(this IServiceCollection services, IConfiguration configuration)
    {
        var key = ApiKeys.Own(configuration, ApiKeys.Callers.Web);
        services.AddReverseProxy()
            .AddServiceDiscoveryDestinationResolver()
            // The web's key is added here, server side; whatever key a browser sends is dropped.
            .AddTransforms(transforms =>
            {
                transforms.AddRequestHeaderRemove(ApiKeys.Header);
                if (key is not null)
                    transforms.AddRequestHeader(ApiKeys.Header, key, append: false);
            });
        services.AddSingleton<IProxyConfigProvider>(sp => new InMemoryConfigProvider(
            [.. Routes.Select(r => new RouteConfig
            {
                RouteId = r.Id,
                ClusterId = Cluster,
                Match = new RouteMatch { Path = r.Path, Methods = [r.Method] },
            })],
            [new ClusterConfig
            {
                ClusterId = Cluster,
                // Service discovery resolves the address to every replica of the Api; the health checks take one that dies
                // out of the balance (probing /health, and on failed requests) and back when it answers again. With none
                // healthy, all are tried: one Api restarting is then waited for, not answered 503 by the web itself.
                Destinations = new Dictionary<string, DestinationConfig> { ["api"] = new() { Address = sp.GetRequiredService<IOptions<WebOptions>>().Value.ApiUrl } },
                LoadBalancingPolicy = Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.PowerOfTwoChoices,
                HealthCheck = new HealthCheckConfig
                {
                    AvailableDestinationsPolicy = Yarp.ReverseProxy.Health.HealthCheckConstants.AvailableDestinations.HealthyOrPanic,
                    Active = new ActiveHealthCheckConfig
                    {
                        Enabled = true, Interval = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(3), Path = Microsoft.Extensions.Hosting.Extensions.HealthPath,
                        Policy = Yarp.ReverseProxy.Health.HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                    },
                    Passive = new PassiveHealthCheckConfig
                    {
                        Enabled = true, Policy = Yarp.ReverseProxy.Health.HealthCheckConstants.PassivePolicy.TransportFailureRate, ReactivationPeriod = TimeSpan.FromSeconds(10),
                    },
                },
            }]));
        return services;
    }
}
