using System.Buffers;
using JobLogs.ServiceDefaults.Logging;
using Microsoft.Win32.SafeHandles;

namespace JobLogs.Worker.Spool;

/// <summary>
/// One attempt's spool file on the worker's disk: its header, then its job log lines numbered by <c>seq</c>, each handed to
/// the OS before the logging call returns. The file is held with an exclusive lock (flock, through FileShare.None) while
/// this process owns it, so a worker starting beside it adopts only spools whose owner died. Lines are appended under a
/// lock; one shipper reads whole lines from what the Api has not yet acknowledged, and compacts the file once most of it
/// was shipped, so a long attempt does not fill the disk.
/// </summary>
internal sealed class AttemptSpool : IDisposable
{
    private const int CompactAbove = 1024 * 1024;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    private readonly Lock _gate = new();
    private readonly SpoolBudget _budget;
    private readonly string _component;
    private SafeFileHandle _file;
    private readonly int _headerLength;
    private long _end;            // bytes written (whole lines only)
    private long _shipped;        // offset up to which the Api holds the lines
    private long _lastSeq;
    private long _droppedEntries, _droppedBytes;
    private bool _removed;

    private AttemptSpool(string path, SafeFileHandle file, SpoolHeader header, int headerLength, long end, long lastSeq, SpoolBudget budget, string component)
    {
        Path = path;
        _file = file;
        Header = header;
        _headerLength = headerLength;
        _end = end;
        _shipped = headerLength;
        _lastSeq = lastSeq;
        _budget = budget;
        _component = component;
    }

    public string Path { get; }
    public SpoolHeader Header { get; }
    public JobKey Key => Header.Key;

    /// <summary>The attempt's run ended (reported, or adopted from a dead worker): the file goes once all of it is shipped.</summary>
    public bool Ended { get; set; }

    public long LastSeq { get { lock (_gate) return _lastSeq; } }

    /// <summary>Why the Api refused this spool's lines for good (the job or its log gone, a log it cannot write), once it did.</summary>
    public string? Refused { get; set; }

    /// <summary>The highest <c>seq</c> the Api said it holds.</summary>
    public long ShippedSeq { get; private set; }

    public long UnshippedBytes => Volatile.Read(ref _end) - _shipped;

    /// <summary>Starts the spool of a claimed attempt (mode 0600: the header holds its lease token).</summary>
    public static AttemptSpool Create(string path, SpoolHeader header, SpoolBudget budget, string component)
    {
        // Locked and given its header under another name first: a worker starting beside this one looks only at whole,
        // locked spools, never at one between its creation and its lock.
        var file = File.OpenHandle(path + ".new", FileMode.Create, FileAccess.ReadWrite, FileShare.None, FileOptions.None);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var line = header.ToLine();
        RandomAccess.Write(file, line, 0);
        File.Move(path + ".new", path, overwrite: true);
        budget.Force(line.Length);
        return new AttemptSpool(path, file, header, line.Length, line.Length, 0, budget, component);
    }

    /// <summary>
    /// Takes over a spool whose owner is gone: null when another live process holds it, or when it holds no header.
    /// A line torn by the crash (no newline) is cut off; <paramref name="last"/> is the last whole entry.
    /// </summary>
    public static AttemptSpool? Adopt(string path, SpoolBudget budget, string component, out byte[]? last)
    {
        last = null;
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, FileOptions.None);
        }
        catch (IOException)
        {
            return null; // locked by its owner, or gone meanwhile
        }
        var scan = SpoolScan.Read(file);
        if (scan.Header is not { } header)
        {
            file.Dispose();
            return null;
        }
        if (scan.WholeLength < RandomAccess.GetLength(file))
            RandomAccess.SetLength(file, scan.WholeLength);
        budget.Force(scan.WholeLength);
        last = scan.LastLine;
        return new AttemptSpool(path, file, header, scan.HeaderLength, scan.WholeLength, scan.LastSeq, budget, component);
    }

    /// <summary>
    /// Numbers and writes one formatted line, false when it is not written (the spool is full, or already removed). After
    /// lines were dropped, the first line that fits again is preceded by the one marker that says what was dropped.
    /// </summary>
    public bool Append(ReadOnlySpan<byte> line)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        lock (_gate)
        {
            if (_removed)
                return false;
            buffer.ResetWrittenCount();
            // After drops, the marker takes the next seq and this line the one after it.
            if (!SpoolLines.Numbered(line, _lastSeq + (_droppedEntries > 0 ? 2 : 1), buffer))
                return false;
            if (!_budget.TryTake(buffer.WrittenCount))
            {
                _droppedEntries++;
                _droppedBytes += line.Length;
                return false;
            }
            WriteDroppedMarker();
            _lastSeq++;
            Write(buffer.WrittenSpan);
            return true;
        }
    }

    /// <summary>The attempt's last <c>seq</c> for its report, after the marker of anything still dropped.</summary>
    public long Seal()
    {
        lock (_gate)
        {
            WriteDroppedMarker();
            return _lastSeq;
        }
    }

    /// <summary>The next lines to ship (whole lines, about <paramref name="maxBytes"/>), from where the Api holds them.</summary>
    public ShipBatch? NextBatch(int maxBytes)
    {
        var end = Volatile.Read(ref _end);
        if (end <= _shipped)
            return null;
        var length = (int)Math.Min(end - _shipped, maxBytes);
        var bytes = new byte[length];
        RandomAccess.Read(_file, bytes, _shipped);
        var whole = bytes.AsSpan().LastIndexOf((byte)'\n') + 1;
        if (whole == 0)
        {
            // One line longer than a batch: it goes alone.
            var line = SpoolScan.LineAt(_file, _shipped, end);
            return new ShipBatch(line, _shipped + line.Length);
        }
        return new ShipBatch(bytes.AsMemory(0, whole), _shipped + whole);
    }

    /// <summary>The Api holds the lines up to <paramref name="seq"/>: shipping goes on after them.</summary>
    public void Shipped(ShipBatch batch, long seq)
    {
        ShippedSeq = seq;
        var lines = batch.Lines.Span;
        var offset = batch.End - lines.Length;
        // Normally the whole batch; less only if the Api answers an older seq, more never (it holds only what was sent).
        while (lines.Length > 0)
        {
            var length = lines.IndexOf((byte)'\n') + 1;
            if (SpoolLines.SeqOf(lines[..length]) > seq)
                break;
            offset += length;
            lines = lines[length..];
        }
        _shipped = offset;
        if (_shipped - _headerLength > CompactAbove && _shipped - _headerLength > Volatile.Read(ref _end) - _shipped)
            Compact();
    }

    /// <summary>The Api holds more than it last said (an answer was lost): skips the lines before <paramref name="expectedSeq"/>.</summary>
    public bool SkipTo(long expectedSeq)
    {
        while (NextBatch(256 * 1024) is { } batch)
        {
            var first = SpoolLines.SeqOf(batch.Lines.Span);
            if (first >= expectedSeq)
                return first == expectedSeq;
            Shipped(batch, expectedSeq - 1);
        }
        return Volatile.Read(ref _lastSeq) < expectedSeq;
    }

    /// <summary>Deletes the file (all shipped, or refused by the Api) and gives its bytes back; later lines are not kept.</summary>
    public void Remove()
    {
        lock (_gate)
        {
            if (_removed)
                return;
            _removed = true;
            File.Delete(Path);
            File.Delete(StagePath(Path));
            _budget.Give(_end);
            _file.Dispose();
        }
    }

    /// <summary>Releases the lock and leaves the file for the next start (the worker stops with lines the Api has not taken).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_removed)
                _budget.Give(_end);
            _removed = true;
            _file.Dispose();
        }
    }

    /// <summary>
    /// Records the stage the run entered beside the spool, so the card of a worker that died names where the run was.
    /// Written to a temp file and renamed: a crash leaves the old stage or the new one. Only a card needs it, so a failure
    /// to write it costs the card its stage and nothing else.
    /// </summary>
    public void EnterStage(string stage)
    {
        var path = StagePath(Path);
        try
        {
            File.WriteAllText(path + ".tmp", stage);
            File.Move(path + ".tmp", path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The stage a spool's run was last in, if it recorded one.</summary>
    public static string? StageOf(string spoolPath)
    {
        try
        {
            return File.ReadAllText(StagePath(spoolPath)) is { Length: > 0 and <= 64 } stage ? stage : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string StagePath(string spoolPath) => spoolPath + ".stage";

    private void WriteDroppedMarker()
    {
        if (_droppedEntries == 0)
            return;
        var marker = SpoolLines.DroppedMarker(Key, _lastSeq + 1, _droppedEntries, _droppedBytes, _budget.MaxBytes, _component);
        _budget.Force(marker.Length);
        _lastSeq++;
        Write(marker);
        _droppedEntries = _droppedBytes = 0;
    }

    private void Write(ReadOnlySpan<byte> line)
    {
        RandomAccess.Write(_file, line, _end);
        Volatile.Write(ref _end, _end + line.Length);
    }

    /// <summary>
    /// Rewrites the file as its header and the lines not yet shipped: written to a locked temp file first and renamed over
    /// the spool, so a crash at any point leaves one whole spool (the lines the Api holds are skipped by seq anyway).
    /// </summary>
    private void Compact()
    {
        lock (_gate)
        {
            if (_removed)
                return;
            var temp = Path + ".compact";
            var next = File.OpenHandle(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, FileOptions.None);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(next, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var rest = new byte[_end - _shipped];
            RandomAccess.Read(_file, rest, _shipped);
            var header = Header.ToLine();
            RandomAccess.Write(next, header, 0);
            RandomAccess.Write(next, rest, header.Length);
            File.Move(temp, Path, overwrite: true);
            _file.Dispose();
            _file = next;
            _budget.Give(_shipped - _headerLength);
            _end = header.Length + rest.Length;
            _shipped = header.Length;
        }
    }
}

/// <summary>Lines read to ship: they end at <see cref="End"/> in the spool file.</summary>
internal sealed record ShipBatch(ReadOnlyMemory<byte> Lines, long End);
