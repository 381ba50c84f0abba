using System.Text.RegularExpressions;
using JobLogs.Jobs;

namespace JobLogs.Worker.Failures;

/// <summary>
/// What to do next, by failure: the first rule that matches a card gives its hint and rule id. Add a rule by adding a
/// row; keep specific rules above general ones. Rules read only the card (type, component, stage, message), so what
/// a rule matches is what a user sees.
/// </summary>
internal static partial class HintRules
{
    public sealed record Rule(string Id, Func<FailureCard, bool> Matches, string Hint);

    public static readonly IReadOnlyList<Rule> Table =
    [
        // The run itself
        new("log-unwritable", c => c.Type == FailureTypes.LogUnwritable,
            "The job's log could not be written: check free disk space, and that the Api's data root (component backend) or the worker's spool folder JobLogs:Worker:SpoolPath (component worker) is writable — that service's log names the cause — then retry."),
        new("worker-restarted", c => c.Type == FailureTypes.WorkerRestarted,
            "The worker stopped mid-run (a crash, a kill or a redeploy) and reported the attempt when it came back; its log up to then is above. Read the worker's service log for why it stopped, then retry."),
        new("canceled", c => c.Type == FailureTypes.Canceled,
            "The job was cancelled on request; retry it if that was a mistake."),
        new("lease-lost", c => c.Type == FailureTypes.LeaseLost,
            "The worker could not renew the job's lease with the Api and stopped the run, so that it never runs twice: check the network between the worker and the Api (the worker's service log says what failed), then retry."),
        new("deadline-exceeded", c => c.Type == FailureTypes.DeadlineExceeded,
            "The job ran past its deadline (input deadlineSeconds, or JobLogs:Worker:JobDeadline): make it smaller, or give it a longer deadline."),
        new("secret-missing", c => c.Type == FailureTypes.SecretMissing,
            "Set the secret in the worker's configuration under JobLogs:Secrets (environment variable JobLogs__Secrets__<NAME>, or a JobLogs:Secrets entry of the app host), then retry."),

        // ComfyUI: reaching it
        new("comfyui-unreachable", c => c.Type == FailureTypes.ComfyUIUnreachable,
            "ComfyUI did not answer at the address shown: start ComfyUI, or check ComfyUI:Url and that the worker can reach it, then retry."),
        new("comfyui-unauthorized", c => c.Type == FailureTypes.ComfyUIUnauthorized,
            "ComfyUI, or the proxy in front of it, refused the credentials: check ComfyUI:Token (sent as a Bearer token), then retry."),
        new("comfyui-5xx", c => c.Type == FailureTypes.ComfyUIServerError,
            "ComfyUI itself failed with a server error: read ComfyUI's own console log at that time, and retry once it is healthy."),
        new("comfyui-bad-answer", c => c.Type == FailureTypes.ComfyUIBadAnswer,
            "Something that is not ComfyUI's API answered (a proxy's login page, a cut answer): check that ComfyUI:Url points at ComfyUI itself and that ComfyUI:Token is right."),
        new("comfyui-timeout", c => c.Type == FailureTypes.ComfyUITimeout,
            "ComfyUI did not answer in time (ComfyUI:RequestTimeout): it may be overloaded or hung; check its console, and raise the timeout if it is only slow."),
        new("prompt-lost", c => c.Type == FailureTypes.PromptLost,
            "ComfyUI no longer knows the prompt: it restarted or crashed while running it (often out of memory), or its queue was cleared. Check ComfyUI's console, then retry."),

        // ComfyUI: what the workflow asked for
        new("gpu-out-of-memory", c => c.Type.Contains("OutOfMemoryError", StringComparison.Ordinal) || c.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase),
            "The GPU ran out of memory in this node: lower the image size or batch_size, use a smaller model, or free the GPU from other work, then retry."),
        new("model-missing", c => c.Type == "value_not_in_list" && ModelFileNotInList().IsMatch(c.Message)
                || c.Type == "FileNotFoundError" && c.Message.Contains("Model in folder", StringComparison.Ordinal),
            "A model file the workflow names is not installed in ComfyUI: install it into ComfyUI's models folder, or pick one of the names ComfyUI lists, then retry."),
        new("unknown-node", c => c.Type == "missing_node_type" || c.Type == "invalid_prompt" && c.Message.Contains("does not exist", StringComparison.Ordinal),
            "The workflow uses a node class this ComfyUI does not have: install the custom node that provides it (e.g. with ComfyUI-Manager) and restart ComfyUI, or remove the node."),
        new("invalid-workflow", c => c.Type is FailureTypes.WorkflowInvalid or "prompt_no_outputs" or "no_prompt" or "invalid_prompt" or "invalid_prompt_id",
            "The workflow is not one ComfyUI can run: export it with ComfyUI's \"Save (API)\", make sure it has an output node (e.g. SaveImage), and check its overrides."),
        new("invalid-input", c => c.Component == "comfyui" && c.Stage == "validate",
            "An input value is not valid for its node (see where: the node and input): fix it in the workflow or with an override, then retry."),
        new("comfyui-interrupted", c => c.Type == FailureTypes.Interrupted,
            "The prompt was interrupted in ComfyUI by someone else (ComfyUI's own Cancel, or another client): retry it if that was not meant."),
        new("comfyui-download", c => c.Type == FailureTypes.DownloadFailed,
            "An output could not be downloaded from ComfyUI: check ComfyUI's output folder and the worker's disk space, then retry."),
        new("comfyui-node-error", c => c.Component == "comfyui" && c.Stage == "execute",
            "A node raised an error while running: read its exception and traceback in the log (jump to the first error), fix the input or the node, then retry."),

        // Python tools
        new("tool-not-found", c => c.Type == FailureTypes.ToolNotFound,
            "Check the tool name in the job input against the .py files in the tools folder (JobLogs:ToolsPath)."),
        new("interpreter-not-found", c => c.Type == FailureTypes.InterpreterNotFound,
            "The Python interpreter JobLogs:PythonPath names was not found: point it at python3 or a virtual environment's bin/python."),
        new("python-module-missing", c => c.Component == "python" && c.Type is "ModuleNotFoundError" or "ImportError",
            "A Python module the tool imports is not installed: install it into the interpreter JobLogs uses (JobLogs:PythonPath, e.g. a virtual environment), then retry."),
        new("tool-timeout", c => c.Type == FailureTypes.ToolTimeout,
            "The tool ran past its timeout (input timeoutSeconds, or JobLogs:ToolTimeout): look at its last log lines for where it got stuck, or give it more time."),
        new("tool-killed", c => c.Type == FailureTypes.ToolKilled,
            "The tool was killed by a signal (often the out-of-memory killer): check the machine's memory and the tool's input size."),
        new("tool-nonzero-exit", c => c.Type == FailureTypes.NonZeroExit,
            "The tool exited with an error code: read its stderr tail in the log (jump to the first error)."),
        new("python-exception", c => c.Component == "python",
            "The tool raised an exception: open the tool at the line shown and read the stderr tail in the log."),

        // Everything else
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

    // ComfyUI's details for a combo value: "ckpt_name: 'x.safetensors' not in ['a.safetensors', ...]".
    [GeneratedRegex(@"'[^']+\.(?:safetensors|ckpt|pt|pth|bin|gguf|sft|onnx)' not in \[", RegexOptions.IgnoreCase)]
    private static partial Regex ModelFileNotInList();
}

/// <summary>The failure types the worker itself names (others are exception types, or ComfyUI's own error types).</summary>
internal static class FailureTypes
{
    public const string LogUnwritable = "log unwritable";
    public const string Canceled = "canceled";
    public const string DeadlineExceeded = "deadline exceeded";
    public const string WorkerStopped = "worker stopped";
    public const string LeaseLost = "lease lost";
    public const string WorkerRestarted = "worker restarted";

    public const string ToolNotFound = "tool not found";
    public const string InterpreterNotFound = "interpreter not found";
    public const string SecretMissing = "secret missing";
    public const string ToolTimeout = "tool timeout";
    public const string ToolKilled = "killed by signal";
    public const string NonZeroExit = "non-zero exit";

    public const string ComfyUIUnreachable = "comfyui unreachable";
    public const string ComfyUIUnauthorized = "comfyui unauthorized";
    public const string ComfyUIServerError = "comfyui server error";
    public const string ComfyUIBadAnswer = "comfyui bad answer";
    public const string ComfyUITimeout = "comfyui timeout";
    public const string PromptLost = "prompt lost";
    public const string Interrupted = "interrupted";
    public const string DownloadFailed = "download failed";
    public const string UploadFailed = "upload failed";
    public const string WorkflowInvalid = "workflow invalid";
}
