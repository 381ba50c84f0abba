using System.ComponentModel.DataAnnotations;

namespace JobLogs.Worker.PythonTools;

/// <summary>The Python interpreter and the tools folder (keys <c>JobLogs:PythonPath</c>, <c>JobLogs:ToolsPath</c>, <c>JobLogs:ToolTimeout</c>, ...).</summary>
internal sealed class PythonToolOptions : IValidatableObject
{
    /// <summary>The interpreter: python3 on PATH, or a virtual environment's bin/python.</summary>
    [Required(ErrorMessage = "JobLogs:PythonPath is empty: give the Python interpreter, e.g. python3.")]
    public string PythonPath { get; set; } = "python3";

    [Required(ErrorMessage = "JobLogs:ToolsPath is not set: give the absolute path of the tools/ folder.")]
    public string ToolsPath { get; set; } = "";

    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00", ErrorMessage = "JobLogs:ToolTimeout must be between 100 ms and 1 day.")]
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>After a timeout or cancel, how long a tool's processes get to end on SIGTERM before SIGKILL.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "JobLogs:ToolKillGrace must be between 0 and 5 minutes.")]
    public TimeSpan ToolKillGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How much of a tool's stdout and stderr is kept (the end of each).</summary>
    [Range(256, 1_048_576, ErrorMessage = "JobLogs:ToolOutputTailBytes must be from 256 to 1048576.")]
    public int ToolOutputTailBytes { get; set; } = 8192;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ToolsPath.Length > 0 && (!Path.IsPathFullyQualified(ToolsPath) || !Directory.Exists(ToolsPath)))
            yield return new ValidationResult($"JobLogs:ToolsPath must be the absolute path of an existing folder; '{ToolsPath}' is not.", [nameof(ToolsPath)]);
    }
}
