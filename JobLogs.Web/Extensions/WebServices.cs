using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging.Shipping;
using JobLogs.ServiceDefaults.Security;
using JobLogs.Web.Api;
using Microsoft.Extensions.Options;

namespace JobLogs.Web.Extensions;

internal static class WebServices
{
    public static WebApplicationBuilder AddWebServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<WebOptions>(builder.Configuration, WebOptions.Section);
        builder.Services.Configure<WebOptions>(options => options.DashboardUrl ??= builder.Configuration["JobLogs:DashboardUrl"]);
        // The web keeps no data root: its runtime lines and the ui entries of jobs go to the Api.
        builder.AddLogShipping(ServiceIdentity.Web, sp => new Uri(sp.GetRequiredService<IOptions<WebOptions>>().Value.ApiUrl));
        builder.Services.AddHttpClient<ApiClient>((sp, http) =>
                http.BaseAddress = new Uri(sp.GetRequiredService<IOptions<WebOptions>>().Value.ApiUrl))
            .AddHttpMessageHandler(() => new ApiKeyHandler(ApiKeys.Own(builder.Configuration, ApiKeys.Callers.Web)));
        builder.Services.AddRazorPages();
        builder.Services.AddProblemDetails();
        builder.Services.AddApiForwarding(builder.Configuration);
        builder.Services.AddSharedPassword(builder.Configuration);
        builder.Services.AddUiErrors();
        return builder;
    }

    public static WebApplication MapWeb(this WebApplication app)
    {
        app.UseExceptionHandler("/Error");
        // Under /api the answer is a ProblemDetails (the route is not forwarded); pages get the HTML error page.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"), pages => pages.UseStatusCodePagesWithReExecute("/Error", "?status={0}"));
        // Scripts and styles are small: the browser asks again each time (ETag), so a new version is never missed.
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache" });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapUiErrors();
        app.MapRazorPages();
        app.MapReverseProxy();
        return app;
    }
}
