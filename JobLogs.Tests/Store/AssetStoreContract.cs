using JobLogs.Api.Store;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Store;

/// <summary>What every asset store does, tested through <see cref="IAssetStore"/> alone.</summary>
public abstract class AssetStoreContract : IAsyncLifetime
{
    private protected IAssetStore Assets { get; private set; } = null!;

    private protected abstract Task<IAssetStore> CreateAsync();

    /// <summary>Stores a job's output file as a worker would (the seam's upload comes with log shipping).</summary>
    private protected abstract Task PutAsync(string projectId, string jobId, string path, byte[] bytes);

    public async Task InitializeAsync() => Assets = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private const string Job = "20260601-120000-0000abcd";

    [Fact]
    public async Task An_asset_is_found_by_its_path_with_its_size_and_bytes()
    {
        var project = ApiFactory.NewProjectId();
        await PutAsync(project, Job, "out/image_00001_.png", [1, 2, 3, 4]);

        var asset = await Assets.FindAsync(project, Job, ["out", "image_00001_.png"]);
        Assert.Equal(("image_00001_.png", 4L), (asset!.Name, asset.Length));
        await using var stream = asset.Open();
        Assert.True(stream.CanSeek); // range requests
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, copy.ToArray());
    }

    [Fact]
    public async Task A_large_asset_reads_whole_and_from_any_position_as_range_requests_do()
    {
        var project = ApiFactory.NewProjectId();
        var bytes = Pattern(700_000);
        await PutAsync(project, Job, "video.mp4", bytes);

        var asset = (await Assets.FindAsync(project, Job, ["video.mp4"]))!;
        Assert.Equal(bytes.Length, asset.Length);
        await using var stream = asset.Open();
        using (var whole = new MemoryStream())
        {
            stream.CopyTo(whole); // read without async too
            Assert.Equal(bytes, whole.ToArray());
        }
        foreach (var start in new[] { 0, 262_100, 524_200, 699_990 }) // across quarter-mebibyte boundaries, and to the end
        {
            stream.Seek(start, SeekOrigin.Begin);
            var range = new byte[Math.Min(1000, bytes.Length - start)];
            await stream.ReadExactlyAsync(range);
            Assert.Equal(bytes[start..(start + range.Length)], range);
        }
        Assert.Equal(-1, stream.ReadByte());
        Assert.Throws<NotSupportedException>(() => stream.WriteByte(1));
    }

    [Fact]
    public async Task A_path_the_job_has_no_asset_at_finds_nothing_and_nothing_leaves_the_job()
    {
        var project = ApiFactory.NewProjectId();
        await PutAsync(project, Job, "out/a.png", [1]);
        await PutAsync(project, "20260601-120000-0000ffff", "out/other.png", [1]);

        Assert.Null(await Assets.FindAsync(project, Job, ["out", "b.png"]));
        Assert.Null(await Assets.FindAsync(project, Job, ["out"])); // a folder is not an asset
        Assert.Null(await Assets.FindAsync(project, Job, ["..", "20260601-120000-0000ffff", "out", "other.png"]));
        Assert.Null(await Assets.FindAsync(ApiFactory.NewProjectId(), Job, ["out", "a.png"]));
    }

    [Fact]
    public async Task A_jobs_assets_have_a_size_and_are_deleted_together()
    {
        var project = ApiFactory.NewProjectId();
        await PutAsync(project, Job, "out/a.png", new byte[300]);
        await PutAsync(project, Job, "out/deep/b.png", new byte[200]);

        Assert.Equal(500, await Assets.SizeAsync(project, Job));
        Assert.True(await Assets.DeleteAsync(project, Job));
        Assert.Equal(0, await Assets.SizeAsync(project, Job));
        Assert.Null(await Assets.FindAsync(project, Job, ["out", "a.png"]));
        Assert.False(await Assets.DeleteAsync(project, Job)); // nothing left
    }

    [Fact]
    public async Task An_upload_once_committed_is_the_asset_of_its_name_and_the_same_again_replaces_it()
    {
        var project = ApiFactory.NewProjectId();
        await using (var first = (await Assets.StageAsync(project, Job, "out.png", new MemoryStream([1, 2, 3]), maxBytes: 10))!)
        {
            Assert.Null(await Assets.FindAsync(project, Job, ["out.png"])); // not an asset before it is committed
            Assert.Equal(($"projects/{project}/files/assets/{Job}/out.png", false), await first.CommitAsync());
        }
        await using (var again = (await Assets.StageAsync(project, Job, "out.png", new MemoryStream([4, 5]), maxBytes: 10))!)
            Assert.True((await again.CommitAsync()).Replaced);

        var asset = (await Assets.FindAsync(project, Job, ["out.png"]))!;
        await using var stream = asset.Open();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(new byte[] { 4, 5 }, copy.ToArray());
        Assert.Equal(2, await Assets.SizeAsync(project, Job));
    }

    [Fact]
    public async Task An_upload_over_the_cap_or_never_committed_leaves_nothing()
    {
        var project = ApiFactory.NewProjectId();
        Assert.Null(await Assets.StageAsync(project, Job, "big.bin", new MemoryStream(new byte[11]), maxBytes: 10));
        await using (var dropped = await Assets.StageAsync(project, Job, "dropped.bin", new MemoryStream(new byte[10]), maxBytes: 10))
            Assert.Equal(10, dropped!.Length);

        Assert.Null(await Assets.FindAsync(project, Job, ["big.bin"]));
        Assert.Null(await Assets.FindAsync(project, Job, ["dropped.bin"]));
        Assert.Equal(0, await Assets.SizeAsync(project, Job));
    }

    [Fact]
    public async Task An_upload_of_exactly_the_cap_is_kept_and_one_a_byte_over_leaves_the_asset_before_it()
    {
        var project = ApiFactory.NewProjectId();
        const int cap = 600_000; // more than any one buffer or chunk
        await using (var exact = (await Assets.StageAsync(project, Job, "a.bin", new MemoryStream(Pattern(cap)), maxBytes: cap))!)
        {
            Assert.Equal(cap, exact.Length);
            await exact.CommitAsync();
        }
        Assert.Null(await Assets.StageAsync(project, Job, "a.bin", new MemoryStream(new byte[cap + 1]), maxBytes: cap));

        await using var stream = (await Assets.FindAsync(project, Job, ["a.bin"]))!.Open();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(Pattern(cap), copy.ToArray());
        Assert.Equal(cap, await Assets.SizeAsync(project, Job));
    }

    /// <summary>Bytes that differ from one position to the next, and from one chunk or buffer to the next.</summary>
    private protected static byte[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7 + i / 251))];
}
