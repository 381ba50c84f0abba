using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class ServiceRunner
{
    /// <summary>
    /// Validates the settings, runs the startup checks (<see cref="JobLogs.ServiceDefaults.IStartupCheck"/>), maps the
    /// service's endpoints with <paramref name="map"/>, and runs it. A missing or wrong setting, or a failed check, stops
    /// the service with one sentence (on stderr and in the service log) and exit code 1, instead of a stack trace.
    /// Settings are validated before mapping because mapping may read them.
    /// </summary>
    public static async Task<int> RunServiceAsync(this WebApplication app, Action<WebApplication> map)
    {
        await using (app)
        {
            try
            {
                app.Services.GetRequiredService<IStartupValidator>().Validate();
            }
            catch (Exception ex) when (ConfigurationProblems(ex) is { Count: > 0 } problems)
            {
                return await RefuseAsync(app, string.Join(" ", problems));
            }
            foreach (var check in app.Services.GetServices<JobLogs.ServiceDefaults.IStartupCheck>())
                if (await check.CheckAsync(app.Lifetime.ApplicationStopping) is { } problem)
                    return await RefuseAsync(app, problem);
            if (app.Services.GetRequiredService<JobLogs.ServiceDefaults.Security.AccessMode>().Notice is { } notice)
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("JobLogs.Startup").LogWarning("{Notice}", notice);
            map(app);
            await app.RunAsync();
            return 0;
        }
    }

    /// <summary>Stops the service before it serves: one sentence on stderr and in its log, exit code 1.</summary>
    private static async Task<int> RefuseAsync(WebApplication app, string problem)
    {
        var sentence = $"{app.Environment.ApplicationName} cannot start: {problem}";
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("JobLogs.Startup").LogCritical("{Problem}", sentence);
        await Console.Error.WriteLineAsync(sentence);
        return 1;
    }

    private static List<string> ConfigurationProblems(Exception ex) => ex switch
    {
        OptionsValidationException options => [.. options.Failures.Select(Sentence)],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(ConfigurationProblems)],
        _ => [],
    };

    // Data annotation failures wrap our own sentence ("... with the error: '<sentence>'."): keep just the sentence.
    private static string Sentence(string failure)
    {
        var match = System.Text.RegularExpressions.Regex.Match(failure, "with the error: '(?<sentence>.*)'\\.?$");
        var sentence = match.Success ? match.Groups["sentence"].Value : failure;
        return sentence.TrimEnd('.') + ".";
    }
}
