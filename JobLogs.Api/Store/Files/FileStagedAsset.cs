using System.Buffers;

namespace JobLogs.Api.Store.Files;

/// <summary>
/// An upload in a temp file beside the asset it becomes: written and flushed to disk in full, then renamed over the
/// asset, so a reader sees the old bytes or the new ones, never a part. A link of the asset's name is replaced, never
/// followed.
/// </summary>
internal sealed class FileStagedAsset(string tempPath, string targetPath, string relativePath) : StagedAsset
{
    private const int BufferSize = 81920;
    private bool _committed;
    private long _length;

    public override long Length => _length;

    /// <summary>Copies the body into the temp file; false as soon as it holds more than <paramref name="maxBytes"/>.</summary>
    public async Task<bool> WriteAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                _length += read;
                if (_length > maxBytes)
                    return false;
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            // On disk before the rename: after a crash the asset is the old file or the whole new one.
            file.Flush(flushToDisk: true);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override Task<(string Path, bool Replaced)> CommitAsync(CancellationToken cancellationToken = default)
    {
        var replaced = new FileInfo(targetPath) is { Exists: true } or { LinkTarget: not null };
        File.Move(tempPath, targetPath, overwrite: true); // rename(2): atomic, and replaces a link itself
        _committed = true;
        return Task.FromResult((relativePath, replaced));
    }

    public override ValueTask DisposeAsync()
    {
        if (!_committed)
            File.Delete(tempPath);
        return ValueTask.CompletedTask;
    }
}
