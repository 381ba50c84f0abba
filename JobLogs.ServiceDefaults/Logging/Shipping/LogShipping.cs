using JobLogs.ServiceDefaults.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace JobLogs.ServiceDefaults.Logging.Shipping;

public static class LogShipping
{
    /// <summary>
    /// For a service without the data root (DESIGN.md, Past one machine): runtime lines to a local file, and the notable
    /// ones with any job lines shipped to the Api at <paramref name="apiUrl"/> with the service's key. The uplink has no
    /// retrying handler: the shipper sends again itself, under the same idempotency key, and its retries must not log a
    /// warning apiece (each would be shipped too).
    /// </summary>
    public static IHostApplicationBuilder AddLogShipping(this IHostApplicationBuilder builder, ServiceIdentity identity, Func<IServiceProvider, Uri> apiUrl)
    {
        var configuration = builder.Configuration;
        builder.Services.AddSingleton<ShippingQueue>();
        builder.Services.AddSingleton(_ => new LocalRuntimeLog(configuration, identity.Service, TimeProvider.System));
        builder.Services.AddSingleton<ShippingLogDestination>();
        builder.Services.Replace(ServiceDescriptor.Singleton<ILogDestination>(sp => sp.GetRequiredService<ShippingLogDestination>()));
        builder.Services.AddSingleton(identity);
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers: the documented way to take the default handler off, still marked for evaluation.
        builder.Services.AddHttpClient<LogUplink>((sp, http) => http.BaseAddress = apiUrl(sp))
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            .AddHttpMessageHandler(() => new ApiKeyHandler(ApiKeys.Own(configuration, identity.Caller!)));
        builder.Services.AddHostedService<LogShipper>();
        return builder;
    }
}
