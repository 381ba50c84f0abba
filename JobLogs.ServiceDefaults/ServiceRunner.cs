using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class ServiceRunner
{
    /// <summary>
    /// Runs the service; a missing or wrong setting stops it with one sentence naming the setting (on stderr and
    /// in the service log) and exit code 1, instead of a stack trace.
    /// </summary>
    public static async Task<int> RunServiceAsync(this WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ConfigurationProblems(ex) is { Count: > 0 } problems)
        {
            var sentence = $"{app.Environment.ApplicationName} cannot start: {string.Join(" ", problems)}";
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("JobLogs.Startup").LogCritical("{Problem}", sentence);
            await Console.Error.WriteLineAsync(sentence);
            return 1;
        }
    }

    private static List<string> ConfigurationProblems(Exception ex) => ex switch
    {
        OptionsValidationException options => [.. options.Failures.Select(f => f.TrimEnd('.') + ".")],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(ConfigurationProblems)],
        _ => [],
    };
}
