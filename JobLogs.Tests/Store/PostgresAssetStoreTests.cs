using JobLogs.Api.Store;
using JobLogs.Api.Store.Postgres;
using JobLogs.Tests.Support;
using Npgsql;

namespace JobLogs.Tests.Store;

/// <summary>The asset store contract on PostgreSQL, and what only it has: chunks, read as they are needed, and a transaction per upload.</summary>
public sealed class PostgresAssetStoreTests(PostgresDatabase database) : AssetStoreContract, IClassFixture<PostgresDatabase>
{
    private const string Job = "20260601-120000-0000abcd";
    private const int Chunk = PostgresStagedFile.ChunkSize;
    private readonly PostgresAssetStore _store = new(database.DataSource);

    private protected override Task<IAssetStore> CreateAsync() => Task.FromResult<IAssetStore>(_store);

    private protected override async Task PutAsync(string projectId, string jobId, string path, byte[] bytes)
    {
        await using var staged = await _store.StagePathAsync(projectId, jobId, path, new MemoryStream(bytes), long.MaxValue);
        await staged!.CommitAsync();
    }

    [Fact]
    public async Task A_range_read_fetches_only_the_chunks_it_covers()
    {
        var project = ApiFactory.NewProjectId();
        var bytes = Pattern(2 * Chunk + 1000);
        await PutAsync(project, Job, "video.mp4", bytes);
        // Only the middle chunk is left: a read inside it must not need the others.
        await Execute("DELETE FROM file_chunks WHERE content_id = (SELECT content_id FROM project_files WHERE project_id = $1) AND n <> 1", project);

        await using var stream = (await Assets.FindAsync(project, Job, ["video.mp4"]))!.Open();
        stream.Seek(Chunk + 10, SeekOrigin.Begin);
        var range = new byte[Chunk - 20];
        await stream.ReadExactlyAsync(range);
        Assert.Equal(bytes.AsSpan(Chunk + 10, range.Length).ToArray(), range);
        stream.Position = 0;
        await Assert.ThrowsAsync<IOException>(async () => await stream.ReadExactlyAsync(new byte[10]));
    }

    [Fact]
    public async Task A_reader_of_a_replaced_asset_gets_an_error_never_bytes_of_the_new_one()
    {
        var project = ApiFactory.NewProjectId();
        await PutAsync(project, Job, "out.bin", Pattern(Chunk + 10));
        await using var stream = (await Assets.FindAsync(project, Job, ["out.bin"]))!.Open();
        await stream.ReadExactlyAsync(new byte[10]);

        await PutAsync(project, Job, "out.bin", new byte[Chunk + 10]);

        stream.Position = Chunk;
        await Assert.ThrowsAsync<IOException>(async () => await stream.ReadExactlyAsync(new byte[10]));
    }

    [Fact]
    public async Task An_upload_is_seen_by_no_other_connection_before_it_is_committed_and_leaves_no_chunks_when_dropped()
    {
        var project = ApiFactory.NewProjectId();
        var chunks = await ChunkCount();
        await using (var staged = (await Assets.StageAsync(project, Job, "out.bin", new MemoryStream(Pattern(3 * Chunk)), maxBytes: 3 * Chunk))!)
            Assert.Equal(chunks, await ChunkCount()); // written, in a transaction no one else sees
        Assert.Equal(chunks, await ChunkCount());

        Assert.Null(await Assets.StageAsync(project, Job, "big.bin", new MemoryStream(new byte[3 * Chunk + 1]), maxBytes: 3 * Chunk));
        Assert.Equal(chunks, await ChunkCount());
    }

    [Fact]
    public async Task Replacing_or_deleting_assets_frees_their_chunks_and_each_is_stored_with_its_hash()
    {
        var project = ApiFactory.NewProjectId();
        var chunks = await ChunkCount();
        await PutAsync(project, Job, "a.bin", Pattern(2 * Chunk));
        await PutAsync(project, Job, "a.bin", Pattern(Chunk + 1));
        await PutAsync(project, Job, "deep/b.bin", []);
        Assert.Equal(chunks + 2, await ChunkCount());
        await using (var hash = database.DataSource.CreateCommand("SELECT sha256 FROM project_files WHERE project_id = $1 AND path = $2"))
        {
            hash.Parameters.Add(new() { Value = project });
            hash.Parameters.Add(new() { Value = $"assets/{Job}/a.bin" });
            Assert.Equal(System.Security.Cryptography.SHA256.HashData(Pattern(Chunk + 1)), (byte[])(await hash.ExecuteScalarAsync())!);
        }

        Assert.True(await Assets.DeleteAsync(project, Job));
        Assert.Equal(chunks, await ChunkCount());
    }

    [Fact]
    public async Task Two_uploads_of_one_name_committed_at_once_leave_one_asset_and_the_chunks_of_one()
    {
        var project = ApiFactory.NewProjectId();
        var chunks = await ChunkCount();
        await using var first = (await Assets.StageAsync(project, Job, "out.bin", new MemoryStream(Pattern(Chunk + 1)), maxBytes: 2 * Chunk))!;
        await using var second = (await Assets.StageAsync(project, Job, "out.bin", new MemoryStream(new byte[Chunk + 2]), maxBytes: 2 * Chunk))!;

        var commits = await Task.WhenAll(first.CommitAsync(), second.CommitAsync());

        Assert.Single(commits, c => !c.Replaced);
        Assert.Equal(chunks + 2, await ChunkCount());
        Assert.Contains((await Assets.FindAsync(project, Job, ["out.bin"]))!.Length, new long[] { Chunk + 1, Chunk + 2 });
    }

    [Fact]
    public async Task A_path_is_a_file_or_a_folder_never_both_and_a_bad_name_is_refused_before_anything_is_read()
    {
        var project = ApiFactory.NewProjectId();
        await PutAsync(project, Job, "out/a.png", [1]);

        await Assert.ThrowsAsync<IOException>(() => PutAsync(project, Job, "out", [2]));
        await Assert.ThrowsAsync<IOException>(() => PutAsync(project, Job, "out/a.png/b.png", [2]));
        Assert.Null(await Assets.FindAsync(project, Job, ["out"]));
        foreach (var name in new[] { "..", ".hidden", "a/b", "" })
            await Assert.ThrowsAsync<ArgumentException>(() => Assets.StageAsync(project, Job, name, new MemoryStream([1]), maxBytes: 10));
        foreach (var path in new[] { "../other/a.png", "/a.png", "out//a.png", "out/./a.png" })
            await Assert.ThrowsAsync<ArgumentException>(() => _store.StagePathAsync(project, Job, path, new MemoryStream([1]), maxBytes: 10));
        await Assert.ThrowsAsync<ArgumentException>(() => Assets.StageAsync(project, "../x", "a.png", new MemoryStream([1]), maxBytes: 10));
        Assert.Equal(1, await Assets.SizeAsync(project, Job));
    }

    private async Task<long> ChunkCount()
    {
        await using var count = database.DataSource.CreateCommand("SELECT count(*) FROM file_chunks");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private async Task Execute(string sql, params object[] values)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync();
    }
}
