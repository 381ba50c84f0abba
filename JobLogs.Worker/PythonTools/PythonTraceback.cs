using System.Text.RegularExpressions;

namespace JobLogs.Worker.PythonTools;

/// <summary>Reads the last Python traceback in a stderr tail: the exception's type and message, and the innermost frame inside the tool.</summary>
internal static partial class PythonTraceback
{
    public sealed record Parsed(string Type, string Message, string? Where);

    /// <summary>
    /// The exception of the last traceback in <paramref name="stderr"/>; <c>Where</c> is <c>file:line</c> of the innermost
    /// frame whose file is under <paramref name="toolsPath"/> (relative to it), or null when no frame is.
    /// </summary>
    public static Parsed? Parse(string stderr, string toolsPath)
    {
        var start = stderr.LastIndexOf("Traceback (most recent call last):", StringComparison.Ordinal);
        var block = start >= 0 ? stderr[start..] : stderr;
        var frames = FrameRegex().Matches(block);
        if (frames.Count == 0)
            return null;

        string? where = null;
        var root = Path.TrimEndingDirectorySeparator(toolsPath) + Path.DirectorySeparatorChar;
        foreach (Match frame in frames)
        {
            var file = frame.Groups["file"].Value;
            if (file.StartsWith(root, StringComparison.Ordinal))
                where = $"{file[root.Length..]}:{frame.Groups["line"].Value}";
        }

        // The exception line is the last line that does not belong to a frame: "ValueError: message".
        var lines = block[frames[^1].Index..].Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var exceptionLine = lines.Skip(1).Reverse().FirstOrDefault(l => l.Length > 0 && !l.StartsWith(' ') && !l.StartsWith('^')) ?? "";
        var match = ExceptionRegex().Match(exceptionLine);
        return match.Success
            ? new Parsed(match.Groups["type"].Value, match.Groups["message"].Value.Trim(), where)
            : new Parsed(exceptionLine.Length > 0 ? exceptionLine : "Exception", exceptionLine, where);
    }

    [GeneratedRegex(@"^\s*File ""(?<file>[^""]+)"", line (?<line>\d+)", RegexOptions.Multiline)]
    private static partial Regex FrameRegex();

    [GeneratedRegex(@"^(?<type>[A-Za-z_][\w.]*)(?::\s?(?<message>.*))?$")]
    private static partial Regex ExceptionRegex();
}
