using System.Buffers;
using System.Data;
using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// A stored file's bytes as a seekable, read-only stream over its rows in <c>file_chunks</c>: a read fetches the one chunk
/// it falls in and keeps it for the reads after, so a range request reads only its own chunks, memory holds one chunk, and
/// no connection is held between reads (a slow download does not take one from the pool). A chunk that is gone (the file
/// was replaced or deleted while it was read) is an <see cref="IOException"/>, never bytes of another file.
/// </summary>
internal sealed class ChunkStream(NpgsqlDataSource database, long contentId, int chunkSize, long length) : Stream
{
    private byte[]? _chunk = ArrayPool<byte>.Shared.Rent(chunkSize);
    private long _loaded = -1;
    private int _loadedLength;
    private long _position;

    public override bool CanRead => _chunk is not null;
    public override bool CanSeek => _chunk is not null;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), "A position is never negative.");
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (ChunkToRead() is not { } n)
            return 0;
        if (n != _loaded)
        {
            using var command = Fetch(n);
            using var reader = command.ExecuteReader(CommandBehavior.SequentialAccess);
            Loaded(n, reader.Read() ? reader.GetStream(0).ReadAtLeast(Held.AsSpan(0, Expected(n)), Expected(n), throwOnEndOfStream: false) : 0);
        }
        return CopyTo(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (ChunkToRead() is not { } n)
            return 0;
        if (n != _loaded)
        {
            await using var command = Fetch(n);
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            var read = 0;
            if (await reader.ReadAsync(cancellationToken))
            {
                await using var column = await reader.GetStreamAsync(0, cancellationToken);
                read = await column.ReadAtLeastAsync(Held.AsMemory(0, Expected(n)), Expected(n), throwOnEndOfStream: false, cancellationToken);
            }
            Loaded(n, read);
        }
        return CopyTo(buffer.Span);
    }

    /// <summary>The chunk the position falls in; null at or past the end.</summary>
    private long? ChunkToRead()
    {
        ObjectDisposedException.ThrowIf(_chunk is null, this);
        return _position < length ? _position / chunkSize : null;
    }

    private byte[] Held => _chunk ?? throw new ObjectDisposedException(nameof(ChunkStream));

    private int Expected(long n) => (int)Math.Min(chunkSize, length - n * chunkSize);

    private NpgsqlCommand Fetch(long n)
    {
        var command = database.CreateCommand("SELECT bytes FROM file_chunks WHERE content_id = $1 AND n = $2");
        command.Parameters.Add(new() { Value = contentId });
        command.Parameters.Add(new() { Value = (int)n });
        return command;
    }

    private void Loaded(long n, int read)
    {
        if (read != Expected(n))
        {
            _loaded = -1;
            throw new IOException($"Chunk {n} of a stored file is gone or short: the file was replaced or deleted while it was read.");
        }
        (_loaded, _loadedLength) = (n, read);
    }

    private int CopyTo(Span<byte> buffer)
    {
        var from = (int)(_position - _loaded * chunkSize);
        var count = Math.Min(buffer.Length, _loadedLength - from);
        Held.AsSpan(from, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("A stored file is read only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A stored file is read only.");

    protected override void Dispose(bool disposing)
    {
        if (_chunk is { } chunk)
            ArrayPool<byte>.Shared.Return(chunk);
        _chunk = null;
        base.Dispose(disposing);
    }
}
