using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace JobLogs.Web.Extensions;

/// <summary>
/// A shared access password for deployed use (<c>JobLogs:Web:Password</c>): a sign-in page and a cookie session in
/// front of every page and forwarded route. Health and static files stay open; calls under /api get a 401 instead of
/// a redirect. Without a password the web is open (and, without an API key, on loopback only).
/// </summary>
internal static class SharedPassword
{
    public const string LoginPath = "/login";

    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrEmpty(configuration["JobLogs:Web:Password"]);

    public static IServiceCollection AddSharedPassword(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
        {
            options.LoginPath = LoginPath;
            options.Cookie.Name = "joblogs";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.SlidingExpiration = true;
            options.ExpireTimeSpan = TimeSpan.FromHours(12);
            options.Events.OnRedirectToLogin = context =>
            {
                if (context.Request.Path.StartsWithSegments("/api"))
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                else
                    context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
        });
        services.AddAuthorizationBuilder().SetFallbackPolicy(IsConfigured(configuration)
            ? new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()
            : null);
        return services;
    }
}
