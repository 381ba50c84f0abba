using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JobLogs.ServiceDefaults;

public static class ValidatedOptions
{
    /// <summary>
    /// The one way a service registers its settings: bound from <paramref name="section"/> and checked at start by their
    /// data annotations (and <c>IValidatableObject</c>), so a missing or wrong setting stops the service with a sentence
    /// naming it instead of failing at first use.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class =>
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
}
