extern alias WorkerAssembly;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WorkerAssembly::JobLogs.Worker.ComfyUI;

namespace JobLogs.Tests.ComfyUI;

/// <summary>The worker's ComfyUI client and follower with <paramref name="settings"/>, as the worker registers them (without its resilience handler).</summary>
internal static class ComfyUIServices
{
    public static ServiceProvider For(ComfyUIOptions settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton(Options.Create(settings));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddHttpClient(ComfyUIClient.HttpClientName, http => ComfyUIClient.Configure(http, settings));
        services.AddSingleton<ComfyUIClient>();
        services.AddSingleton<PromptFollower>();
        return services.BuildServiceProvider();
    }
}
