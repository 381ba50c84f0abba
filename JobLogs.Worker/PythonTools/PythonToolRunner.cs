using System.Diagnostics;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Worker.Api;
using JobLogs.Worker.Failures;
using JobLogs.Worker.Jobs;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.PythonTools;

/// <summary>
/// Runs <c>python.tool</c> jobs: <c>{ "tool": "name", "args": {...}, "timeoutSeconds"?: n }</c> runs <c>&lt;tools&gt;/name.py</c>
/// with the args as JSON on stdin. The tool's output is the JSON object on the last line of its stdout; its structured
/// log entries arrive on a pipe (tools/joblogs.py) and go to the job log as <c>component: python</c>. The job log gets
/// one entry for the run (tool, duration, exit code or signal, stderr tail); the card points at the tool's file and line.
/// Files the tool writes into its own empty <c>JOBLOGS_OUTPUT_DIR</c> are uploaded to the Api when it succeeds, and
/// listed under "assets" in its output.
/// </summary>
internal sealed partial class PythonToolRunner(
    IOptions<PythonToolOptions> options, SecretResolver secrets, ApiClient api, ILogger<PythonToolRunner> logger) : IJobRunner
{
    // The child gets a small environment: the worker's secrets (tokens, API keys) are not a tool's business.
    private static readonly string[] InheritedVariables = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"];

    public string Type => JobTypes.PythonTool;

    public async Task<JsonElement?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var input = context.Job.Input;
        var tool = input.GetProperty("tool").GetString()!;
        var timeout = input.TryGetProperty("timeoutSeconds", out var t) && TimeSpan.FromSeconds(t.GetDouble()) < settings.ToolTimeout
            ? TimeSpan.FromSeconds(t.GetDouble())
            : settings.ToolTimeout;
        context.Stage = "tool";
        context.Where = $"{tool}.py";

        var script = Path.Combine(settings.ToolsPath, tool + ".py");
        if (!Ids.IsValid(tool) || !File.Exists(script))
            throw new JobFailedException(new FailureCard
            {
                Message = $"There is no tool named '{tool}': {tool}.py is not in the tools folder.",
                Type = FailureTypes.ToolNotFound, Component = "worker", Stage = "tool", Where = $"{tool}.py",
            });
        if (Executable.Find(settings.PythonPath) is not { } python)
            throw new JobFailedException(new FailureCard
            {
                Message = $"The Python interpreter '{settings.PythonPath}' was not found (JobLogs:PythonPath).",
                Type = FailureTypes.InterpreterNotFound, Component = "worker", Stage = "tool", Where = settings.PythonPath,
            });

        LogToolStarting(logger, tool, ArgNames(input), timeout.TotalSeconds);
        // Secrets are resolved last, into the text that goes to the tool's stdin and nowhere else.
        var args = input.TryGetProperty("args", out var a) ? secrets.Resolve(a, "input.args").GetRawText() : "{}";
        var relay = new ToolLogRelay(logger, tool);
        using var outputs = OutputFolder.Create(context);
        ToolProcess.Result result;
        // The tool continues the trace under this call's span: what it traces is part of the attempt, and the entries it
        // writes to the log pipe, relayed while this span is current, carry the trace and span its TRACEPARENT names.
        using (var span = JobTelemetry.StartCall($"tool {tool}", "run"))
        {
            result = await ToolProcess.RunAsync(
                new ToolProcess.Command(python, ["-u", script], Environment(context, outputs), settings.ToolsPath),
                args, timeout, settings.ToolKillGrace, settings.ToolOutputTailBytes, relay.Relay, cancellationToken);
            JobTelemetry.EndCall(span, Status(result), Failed(result));
        }

        LogRun(tool, result, relay.Relayed);
        // Stopped by the run (cancel, deadline, worker stopping): the job run names the reason on the card.
        if (result.Stopped == ToolProcess.StopReason.Canceled)
            cancellationToken.ThrowIfCancellationRequested();
        if (result.Stopped == ToolProcess.StopReason.Timeout || result.ExitCode != 0)
            throw new JobFailedException(Card(tool, result, timeout, settings.ToolsPath));
        // Uploaded before the run returns: the report of a success lists only stored assets.
        var assets = await ToolOutputs.UploadAsync(api, outputs, context, logger, cancellationToken);
        return ToolOutputs.WithAssets(Output(result.StdoutTail), assets, logger);
    }

    private static Dictionary<string, string> Environment(JobContext context, OutputFolder outputs)
    {
        var environment = new Dictionary<string, string>();
        foreach (var name in InheritedVariables)
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
                environment[name] = value;
        environment["PYTHONIOENCODING"] = "utf-8";
        environment["JOBLOGS_PROJECT_ID"] = context.Job.ProjectId;
        environment["JOBLOGS_JOB_ID"] = context.Job.Id;
        environment["JOBLOGS_ATTEMPT"] = context.Attempt.ToString();
        environment["TRACEPARENT"] = Activity.Current?.Id ?? context.Traceparent;
        environment[ToolOutputs.Variable] = outputs.Path;
        return environment;
    }

    private void LogRun(string tool, ToolProcess.Result result, int entries)
    {
        var call = new Dictionary<string, object?>
        {
            ["call"] = new Dictionary<string, object?> { ["target"] = $"tool {tool}", ["op"] = "run", ["status"] = Status(result) },
            ["exitCode"] = result.ExitCode,
            ["stdoutBytes"] = result.StdoutChars,
            ["logEntries"] = entries,
        };
        if (result.Signal is { } signal)
            call["signal"] = signal;
        if (result.StderrTail.Length > 0)
            call["stderrTail"] = result.StderrTail;
        var failed = Failed(result);
        if (failed && result.StdoutTail.Length > 0)
            call["stdoutTail"] = result.StdoutTail;
        var level = failed ? LogLevel.Error : result.Stopped == ToolProcess.StopReason.Canceled ? LogLevel.Warning : LogLevel.Information;
        logger.LogWithData(level, null, call, "Tool {Tool} {Outcome} after {DurationMs} ms", tool, Status(result), (long)result.Duration.TotalMilliseconds);
        if (result.KilledLeftovers)
            LogLeftovers(logger, tool);
    }

    private static bool Failed(ToolProcess.Result result) =>
        result.Stopped == ToolProcess.StopReason.Timeout || result.Stopped == ToolProcess.StopReason.None && result.ExitCode != 0;

    private static string Status(ToolProcess.Result result) => result switch
    {
        { Stopped: ToolProcess.StopReason.Timeout } => "timed out",
        { Stopped: ToolProcess.StopReason.Canceled } => "was stopped",
        { Signal: { } signal } => $"was killed by signal {signal}",
        _ => $"exited with code {result.ExitCode}",
    };

    private static FailureCard Card(string tool, ToolProcess.Result result, TimeSpan timeout, string toolsPath)
    {
        if (result.Stopped == ToolProcess.StopReason.Timeout)
            return new FailureCard
            {
                Message = $"Tool {tool} did not finish within its timeout of {timeout}; it and its child processes were stopped.",
                Type = FailureTypes.ToolTimeout, Component = "python", Stage = "tool", Where = $"{tool}.py",
            };
        var traceback = PythonTraceback.Parse(result.StderrTail, toolsPath);
        if (result.Signal is { } signal && traceback is null)
            return new FailureCard
            {
                Message = $"Tool {tool} was killed by signal {signal}.",
                Type = FailureTypes.ToolKilled, Component = "python", Stage = "tool", Where = $"{tool}.py",
            };
        return new FailureCard
        {
            Message = traceback is { } tb
                ? $"Tool {tool} failed with {tb.Type}: {tb.Message}"
                : $"Tool {tool} exited with code {result.ExitCode}: {LastLine(result.StderrTail) ?? "it wrote nothing to stderr"}",
            Type = traceback?.Type ?? FailureTypes.NonZeroExit,
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Running tool {Tool} with args [{ArgNames}], timeout {TimeoutSeconds} s")]
    private static partial void LogToolStarting(ILogger logger, string tool, string argNames, double timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tool {Tool} left processes running when it exited; they were killed")]
    private static partial void LogLeftovers(ILogger logger, string tool);
}
