using System.Diagnostics;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Worker.Failures;
using JobLogs.Worker.Jobs;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.PythonTools;

/// <summary>
/// Runs <c>python.tool</c> jobs: <c>{ "tool": "name", "args": {...} }</c> runs <c>&lt;tools&gt;/name.py</c> with the args as
/// JSON on stdin. The tool's output is the JSON object on the last line of its stdout. The job log gets the tool call
/// (tool, duration, exit code) and, on failure, the stderr tail; the card points at the tool's file and line.
/// </summary>
internal sealed partial class PythonToolRunner(IOptions<PythonToolOptions> options, SecretResolver secrets, ILogger<PythonToolRunner> logger) : IJobRunner
{
    // The child gets a small environment: the worker's secrets (tokens, API keys) are not a tool's business.
    private static readonly string[] InheritedVariables = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"];

    public string Type => JobTypes.PythonTool;

    public async Task<JsonElement?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var input = context.Job.Input;
        var tool = input.GetProperty("tool").GetString()!;
        context.Stage = "tool";

        var script = Path.Combine(settings.ToolsPath, tool + ".py");
        if (!Ids.IsValid(tool) || !File.Exists(script))
            throw new JobFailedException(new FailureCard
            {
                Message = $"There is no tool named '{tool}': {tool}.py is not in the tools folder.",
                Type = FailureTypes.ToolNotFound, Component = "worker", Stage = "tool", Where = $"{tool}.py",
            });

        LogToolStarting(logger, tool, ArgNames(input));
        // Secrets are resolved last, into the text that goes to the tool's stdin and nowhere else.
        var args = input.TryGetProperty("args", out var a) ? secrets.Resolve(a, "input.args").GetRawText() : "{}";
        var start = new ProcessStartInfo(settings.PythonPath) { WorkingDirectory = settings.ToolsPath };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(script);
        start.Environment.Clear();
        foreach (var name in InheritedVariables)
            if (Environment.GetEnvironmentVariable(name) is { } value)
                start.Environment[name] = value;
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        start.Environment["JOBLOGS_PROJECT_ID"] = context.Job.ProjectId;
        start.Environment["JOBLOGS_JOB_ID"] = context.Job.Id;
        start.Environment["JOBLOGS_ATTEMPT"] = context.Attempt.ToString();

        ToolProcess.Result result;
        using var span = JobTelemetry.StartCall($"tool {tool}", "run");
        // The tool continues the trace under this call's span: what it traces is part of the attempt, and the entries it
        // writes to the log pipe, relayed while this span is current, carry the trace and span its TRACEPARENT names.
        start.Environment["TRACEPARENT"] = Activity.Current?.Id ?? context.Traceparent;
        try
        {
            result = await ToolProcess.RunAsync(start, args, settings.ToolTimeout, settings.ToolOutputTailBytes, cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            JobTelemetry.EndCall(span, "could not start", failed: true);
            throw new JobFailedException(new FailureCard
            {
                Message = $"The Python interpreter '{settings.PythonPath}' could not be started: {ex.Message}.",
                Type = "interpreter not found", Component = "worker", Stage = "tool", Where = settings.PythonPath,
            }, ex);
        }

        var call = new Dictionary<string, object?>
        {
            ["call"] = new Dictionary<string, object?> { ["target"] = $"tool {tool}", ["op"] = "run", ["status"] = Status(result) },
            ["exitCode"] = result.ExitCode,
            ["stdoutBytes"] = result.StdoutChars,
        };
        if (result.StderrTail.Length > 0)
            call["stderrTail"] = result.StderrTail;
        var failed = result.TimedOut || result.ExitCode != 0;
        if (failed && result.StdoutTail.Length > 0)
            call["stdoutTail"] = result.StdoutTail;
        logger.LogWithData(failed ? LogLevel.Error : LogLevel.Information, null, call,
            "Tool {Tool} {Outcome} after {DurationMs} ms", tool, Status(result), (long)result.Duration.TotalMilliseconds);
        JobTelemetry.EndCall(span, Status(result), failed);

        if (failed)
            throw new JobFailedException(Card(tool, result, settings.ToolsPath));
        return Output(result.StdoutTail);
    }

    private static string Status(ToolProcess.Result result) => result switch
    {
        { TimedOut: true } => "timed out",
        { Signal: { } signal } => $"was killed by signal {signal}",
        _ => $"exited with code {result.ExitCode}",
    };

    private FailureCard Card(string tool, ToolProcess.Result result, string toolsPath)
    {
        if (result.TimedOut)
            return new FailureCard
            {
                Message = $"Tool {tool} did not finish within its timeout of {options.Value.ToolTimeout}; it was stopped.",
                Type = FailureTypes.ToolTimeout, Component = "python", Stage = "tool", Where = $"{tool}.py",
            };
        if (result.Signal is { } signal && PythonTraceback.Parse(result.StderrTail, toolsPath) is null)
            return new FailureCard
            {
                Message = $"Tool {tool} was killed by signal {signal}.",
                Type = FailureTypes.ToolKilled, Component = "python", Stage = "tool", Where = $"{tool}.py",
            };
        var traceback = PythonTraceback.Parse(result.StderrTail, toolsPath);
        return new FailureCard
        {
            Message = traceback is { } t
                ? $"Tool {tool} failed with {t.Type}: {t.Message}"
                : $"Tool {tool} exited with code {result.ExitCode}: {LastLine(result.StderrTail) ?? "it wrote nothing to stderr"}",
            Type = traceback?.Type ?? "non-zero exit",
            Component = "python",
            Stage = "tool",
            Where = traceback?.Where ?? $"{tool}.py",
        };
    }

    /// <summary>The tool's result: the JSON object on the last line of its stdout; otherwise nothing.</summary>
    private static JsonElement? Output(string stdoutTail)
    {
        var last = LastLine(stdoutTail);
        if (last is null || !last.StartsWith('{'))
            return null;
        try
        {
            using var document = JsonDocument.Parse(last);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();

    private static string ArgNames(JsonElement input) =>
        input.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Object
            ? string.Join(", ", args.EnumerateObject().Select(p => p.Name))
            : "";

    [LoggerMessage(Level = LogLevel.Information, Message = "Running tool {Tool} with args [{ArgNames}]")]
    private static partial void LogToolStarting(ILogger logger, string tool, string argNames);
}
