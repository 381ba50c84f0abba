using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using JobLogs.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace JobLogs.Api.Extensions;

/// <summary>
/// With keys configured, every /api route needs the right one in X-Api-Key: none is a 401, an unknown key or one
/// not allowed for the route a 403. The worker's key opens the worker routes; the web's (and an admin's) the
/// routes a browser needs; either service's key the route that takes its runtime lines. Health stays open. With no key configured the Api is open and listens on loopback only.
/// </summary>
internal static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";

    public static class Policies
    {
        public const string Worker = "worker";
        public const string Browser = "browser";
        public const string Admin = "admin";
        /// <summary>The worker and the web: the services that ship their runtime lines to the Api.</summary>
        public const string Services = "services";
    }

    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        // Operators run admin routes with the admin key, or with the worker's where no admin key is set up: once there
        // is an admin key, a worker's key (on every worker machine) no longer opens them.
        string[] operators = ApiKeys.Own(configuration, ApiKeys.Callers.Admin) is null
            ? [ApiKeys.Callers.Admin, ApiKeys.Callers.Worker]
            : [ApiKeys.Callers.Admin];
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, Handler>(Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Worker, p => p.RequireRole(ApiKeys.Callers.Worker))
            .AddPolicy(Policies.Browser, p => p.RequireRole(ApiKeys.Callers.Web, ApiKeys.Callers.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(operators))
            .AddPolicy(Policies.Services, p => p.RequireRole(ApiKeys.Callers.Worker, ApiKeys.Callers.Web));
        return services;
    }

    /// <summary>A route group that needs <paramref name="policy"/> when keys are configured, and nothing otherwise.</summary>
    public static RouteGroupBuilder MapCallerGroup(this WebApplication app, string policy)
    {
        var group = app.MapGroup("");
        if (!app.Services.GetRequiredService<AccessMode>().Open)
            group.RequireAuthorization(policy);
        return group;
    }

    private sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IConfiguration configuration)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var given = Request.Headers[ApiKeys.Header].ToString();
            if (given.Length == 0)
                return Task.FromResult(AuthenticateResult.NoResult());
            var caller = ApiKeys.Read(configuration)
                .FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(k.Value), Encoding.UTF8.GetBytes(given))).Key;
            // An unknown key still authenticates, as nobody in particular: authorization then answers 403, not 401.
            var identity = new ClaimsIdentity(ApiKeyAuthentication.Scheme);
            identity.AddClaim(new Claim(ClaimTypes.Name, caller ?? "unknown key"));
            if (caller is not null)
                identity.AddClaim(new Claim(ClaimTypes.Role, caller));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyAuthentication.Scheme)));
        }
    }
}
