using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Worker.Failures;
using JobLogs.Worker.Jobs;

namespace JobLogs.Worker.ComfyUI;

/// <summary>How a followed prompt ended, as the job sees it.</summary>
internal static partial class PromptOutcome
{
    /// <summary>Fails the job unless the prompt succeeded: its execution_error, or an interruption nobody here asked for.</summary>
    public static void EnsureSucceeded(PromptHistory history, Workflow workflow, JobContext context, ILogger logger)
    {
        if (history.Succeeded)
            return;
        if (history.ExecutionError is { } error)
        {
            var card = PromptErrors.FromExecutionError(error);
            context.Where = card.Where;
            logger.LogWithData(LogLevel.Error, null, PromptErrors.ExecutionErrorData(error), "{Failure}", card.Message);
            throw new JobFailedException(card);
        }
        var where = history.Interrupted is { } interrupted && interrupted.TryGetProperty("node_id", out var node) && node.ValueKind == JsonValueKind.String
            ? $"node {node.GetString()} {workflow.ClassOf(node.GetString()!) ?? "?"}"
            : context.Where;
        var message = history.Interrupted is not null
            ? "The prompt was interrupted in ComfyUI, not by JobLogs."
            : "ComfyUI reports the prompt as failed without saying why (no execution_error in its history).";
        LogEndedBadly(logger, message, where ?? "?");
        throw new JobFailedException(new FailureCard
        {
            Message = message,
            Type = history.Interrupted is not null ? FailureTypes.Interrupted : "execution failed",
            Component = "comfyui", Stage = "execute", Where = where,
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Failure} (at {Where})")]
    private static partial void LogEndedBadly(ILogger logger, string failure, string where);
}
