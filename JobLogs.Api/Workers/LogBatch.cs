namespace JobLogs.Api.Workers;

/// <summary>
/// A batch of shipped lines, read and checked before anything is stored: whole JSON-object lines, each of the attempt the
/// lease token names, numbered by consecutive <c>seq</c>s. A batch that fails is refused whole, with a sentence naming the line.
/// </summary>
internal sealed class LogBatch
{
    /// <summary>The most a batch may hold (the worker sends ~256 KiB at a time); a longer line is the worker's to cut.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private LogBatch(List<BatchLine> lines) => Lines = lines;

    public IReadOnlyList<BatchLine> Lines { get; }

    /// <summary>The batch in <paramref name="body"/>, or the sentence that says why it is refused.</summary>
    public static (LogBatch? Batch, string? Problem) Read(ReadOnlySpan<byte> body, string projectId, string jobId, int attempt)
    {
        long? previous = null;
        var (lines, problem) = Split(body, line =>
        {
            if (line.ProjectId != projectId || line.JobId != jobId || line.Attempt != attempt)
                return $"names project {Shown(line.ProjectId)}, job {Shown(line.JobId)}, attempt {line.Attempt?.ToString() ?? "(none)"}; the lease token is attempt {attempt} of job {jobId} in project {projectId}";
            if (line.Seq is not ({ } seq and >= 1))
                return "carries no seq of 1 or more";
            if (previous is { } before && seq != before + 1)
                return $"has seq {seq}; after seq {before} the batch must go on with {before + 1}";
            previous = seq;
            return null;
        });
        return lines is null ? (null, problem) : (new LogBatch(lines), null);
    }

    /// <summary>
    /// The whole JSON-object lines of <paramref name="body"/>, each passed by <paramref name="problem"/> (which says what
    /// is wrong with a line, or null), or the sentence that refuses the batch, naming the first line that fails.
    /// </summary>
    public static (List<BatchLine>? Lines, string? Problem) Split(ReadOnlySpan<byte> body, Func<ShippedLine, string?> problem)
    {
        if (body.IsEmpty)
            return (null, "The batch holds no lines: send one or more JSON entries, one per line.");
        if (body[^1] != (byte)'\n')
            return (null, "The batch does not end in a newline: send whole lines, each ending in \"\\n\".");
        var lines = new List<BatchLine>();
        var start = 0;
        while (start < body.Length)
        {
            var length = body[start..].IndexOf((byte)'\n') + 1;
            var n = lines.Count + 1;
            if (ShippedLine.ReadWhole(body.Slice(start, length)) is not { } line)
                return (null, $"Line {n} of the batch is not one JSON object.");
            if (problem(line) is { } wrong)
                return (null, $"Line {n} of the batch {wrong}.");
            lines.Add(new BatchLine(start, length, line));
            start += length;
        }
        return (lines, null);
    }

    /// <summary>The body, read up to <see cref="MaxBytes"/>; null when it holds more.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
            return null;
        using var body = new MemoryStream(request.ContentLength is { } length ? (int)length : 64 * 1024);
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + n > MaxBytes)
                return null;
            body.Write(buffer, 0, n);
        }
        return body.GetBuffer().AsMemory(0, (int)body.Length);
    }

    private static string Shown(string? id) => id is null ? "(none)" : Extensions.QueryParameters.Shorten(id);
}

/// <summary>One line of a batch: where it lies in the body (newline included) and what the Api read of it.</summary>
internal readonly record struct BatchLine(int Start, int Length, ShippedLine Line)
{
    public long Seq => Line.Seq!.Value;
}
