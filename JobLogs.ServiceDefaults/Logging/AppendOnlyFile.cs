using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// A file opened with O_APPEND, written one whole line per write(2), so several processes can append to the
/// same file without losing or tearing lines (on local filesystems). .NET's FileMode.Append does not open with
/// O_APPEND on Unix: it seeks once and then writes at its own position, so concurrent writers overwrite each other.
/// </summary>
public sealed partial class AppendOnlyFile : IDisposable
{
    // Linux values (x86-64 and arm64 share them).
    private const int O_WRONLY = 0x1, O_CREAT = 0x40, O_APPEND = 0x400, O_CLOEXEC = 0x80000;
    private const int SEEK_CUR = 1;
    private const int EINTR = 4;
    private const int Mode0644 = 0x1A4;

    private readonly SafeFileHandle _handle;
    private readonly Lock _gate = new();

    private AppendOnlyFile(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens (creating it and its folder if needed) <paramref name="path"/> for appending.</summary>
    /// <remarks>Failures are IOExceptions whose message says what failed without the absolute path, which callers name relative to the data root.</remarks>
    public static AppendOnlyFile Open(string path)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("JobLogs appends its logs with O_APPEND and runs on Linux only.");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, Mode0644);
        if (fd < 0)
            throw new IOException($"cannot open it for appending: {Marshal.GetLastPInvokeErrorMessage()}");
        return new AppendOnlyFile(new SafeFileHandle(fd, ownsHandle: true), path);
    }

    /// <summary>The file's current size, from fstat: it includes what other processes appended.</summary>
    public long Length => RandomAccess.GetLength(_handle);

    /// <summary>Appends one whole line with a single write(2).</summary>
    public void Append(ReadOnlySpan<byte> line)
    {
        lock (_gate)
            WriteAll(line);
    }

    /// <summary>Appends one whole line with a single write(2) and returns the offset it was written at.</summary>
    public long AppendAt(ReadOnlySpan<byte> line)
    {
        // The lock makes the offset exact for this process's own threads (every append here takes it); the kernel
        // already makes each O_APPEND write atomic with respect to every other writer.
        lock (_gate)
        {
            WriteAll(line);
            return Position() - line.Length;
        }
    }

    /// <summary>
    /// True while the open file is still the one at <see cref="Path"/>: false once it was renamed away (rotated) or
    /// deleted, so a writer can reopen by path. Asks the kernel where the descriptor points.
    /// </summary>
    public bool IsStillAtPath()
    {
        var link = $"/proc/self/fd/{_handle.DangerousGetHandle()}";
        try
        {
            return File.ResolveLinkTarget(link, returnFinalTarget: false)?.FullName == Path;
        }
        catch (IOException)
        {
            return true; // cannot tell: keep writing where we are
        }
    }

    public void Dispose() => _handle.Dispose();

    private unsafe void WriteAll(ReadOnlySpan<byte> line)
    {
        fixed (byte* start = line)
        {
            var done = 0;
            while (done < line.Length)
            {
                var n = write(_handle, start + done, (nuint)(line.Length - done));
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == EINTR)
                        continue;
                    throw new IOException($"cannot append to it: {Marshal.GetLastPInvokeErrorMessage()}");
                }
                done += (int)n;
            }
        }
    }

    private long Position()
    {
        var position = lseek(_handle, 0, SEEK_CUR);
        return position >= 0 ? position : throw new IOException($"cannot read its position: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(SafeFileHandle fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long lseek(SafeFileHandle fd, long offset, int whence);
}
