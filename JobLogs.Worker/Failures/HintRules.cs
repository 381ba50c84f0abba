using JobLogs.Jobs;

namespace JobLogs.Worker.Failures;

/// <summary>
/// What to do next, by failure: the first rule that matches a card gives its hint and rule id. Add a rule by
/// adding a row; keep specific rules above general ones.
/// </summary>
internal static class HintRules
{
    public sealed record Rule(string Id, Func<FailureCard, bool> Matches, string Hint);

    public static readonly IReadOnlyList<Rule> Table =
    [
        new("log-unwritable", c => c.Type == FailureTypes.LogUnwritable,
            "The job's log could not be written: check free disk space and that the data root is writable (the worker's service log names the cause), then retry."),
        new("canceled", c => c.Type == FailureTypes.Canceled,
            "The job was cancelled on request; retry it if that was a mistake."),
        new("deadline-exceeded", c => c.Type == FailureTypes.DeadlineExceeded,
            "The job ran past its deadline (JobLogs:Worker:JobDeadline): make it smaller, or raise the deadline."),
        new("secret-missing", c => c.Type == FailureTypes.SecretMissing,
            "Set the secret in the worker's configuration under JobLogs:Secrets (environment variable JobLogs__Secrets__<NAME>, or a JobLogs:Secrets entry of the app host), then retry."),
        new("tool-not-found", c => c.Type == FailureTypes.ToolNotFound,
            "Check the tool name in the job input against the .py files in the tools folder (JobLogs:ToolsPath)."),
        new("python-module-missing", c => c.Component == "python" && c.Type is "ModuleNotFoundError" or "ImportError",
            "A Python module the tool imports is not installed: install it into the interpreter JobLogs uses (JobLogs:PythonPath, e.g. a virtual environment), then retry."),
        new("tool-timeout", c => c.Type == FailureTypes.ToolTimeout,
            "The tool ran past its timeout (JobLogs:ToolTimeout): look at its last log lines for where it got stuck, or raise the timeout."),
        new("tool-killed", c => c.Type == FailureTypes.ToolKilled,
            "The tool was killed by a signal (often the out-of-memory killer): check the machine's memory and the tool's input size."),
        new("python-exception", c => c.Component == "python" && c.Where is not null,
            "The tool raised an exception: open the tool at the line shown and read the stderr tail in the log."),
        new("tool-nonzero-exit", c => c.Component == "python",
            "The tool exited with an error: read its stderr tail in the log (jump to the first error)."),
        new("worker-lost", c => c.Type == "worker lost",
            "The worker crashed or lost contact with the Api: check the worker's service log around that time, then retry."),
        new("unexpected", _ => true,
            "An unexpected error in JobLogs itself: the exception and stack are in the log; retry, and report it if it happens again."),
    ];

    public static FailureCard Apply(FailureCard card)
    {
        var rule = Table.First(r => r.Matches(card));
        return card with { Hint = card.Hint ?? rule.Hint, Rule = card.Rule ?? rule.Id };
    }
}

/// <summary>The failure types the worker itself names (others are exception types).</summary>
internal static class FailureTypes
{
    public const string LogUnwritable = "log unwritable";
    public const string Canceled = "canceled";
    public const string DeadlineExceeded = "deadline exceeded";
    public const string ToolNotFound = "tool not found";
    public const string SecretMissing = "secret missing";
    public const string ToolTimeout = "tool timeout";
    public const string ToolKilled = "killed by signal";
    public const string WorkerStopped = "worker stopped";
}
