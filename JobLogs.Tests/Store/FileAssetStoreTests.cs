using JobLogs.Api.Store;
using JobLogs.Api.Store.Files;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Store;

/// <summary>The asset store contract on files, and what only files have: links, never followed.</summary>
public sealed class FileAssetStoreTests : AssetStoreContract
{
    private readonly TempDirectory _data = new("asset-store");
    private DataLayout Layout => new(_data.Path);

    private protected override Task<IAssetStore> CreateAsync() => Task.FromResult<IAssetStore>(new FileAssetStore(Layout));

    private protected override async Task PutAsync(string projectId, string jobId, string path, byte[] bytes)
    {
        var file = Path.Combine(Layout.Assets(projectId, jobId), path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, bytes);
    }

    public override Task DisposeAsync()
    {
        _data.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_link_inside_a_jobs_assets_is_neither_served_nor_counted()
    {
        using var outside = new TempDirectory("outside");
        File.WriteAllText(outside.File("secret.txt"), "not the data root's");
        const string job = "20260601-120000-0000abcd";
        await PutAsync("p1", job, "out/a.png", new byte[10]);
        File.CreateSymbolicLink(Path.Combine(Layout.Assets("p1", job), "out", "link.txt"), outside.File("secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(Layout.Assets("p1", job), "folder-link"), outside.Path);

        Assert.Null(await Assets.FindAsync("p1", job, ["out", "link.txt"]));
        Assert.Null(await Assets.FindAsync("p1", job, ["folder-link", "secret.txt"]));
        Assert.Equal(10, await Assets.SizeAsync("p1", job));
        Assert.True(await Assets.DeleteAsync("p1", job));
        Assert.Equal("not the data root's", File.ReadAllText(outside.File("secret.txt")));
    }

    [Fact]
    public async Task An_upload_is_staged_beside_its_asset_and_replaces_a_link_of_its_name_without_following_it()
    {
        using var outside = new TempDirectory("outside");
        File.WriteAllText(outside.File("target.txt"), "not the data root's");
        const string job = "20260601-120000-0000abcd";
        var folder = Layout.Assets("p1", job);
        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(Path.Combine(folder, "out.txt"), outside.File("target.txt"));

        await using (var staged = (await Assets.StageAsync("p1", job, "out.txt", new MemoryStream("new"u8.ToArray()), maxBytes: 10))!)
        {
            Assert.Single(Directory.GetFiles(folder), f => Path.GetFileName(f).StartsWith(".upload-", StringComparison.Ordinal));
            Assert.True((await staged.CommitAsync()).Replaced);
        }

        Assert.Equal("out.txt", Path.GetFileName(Assert.Single(Directory.GetFiles(folder))));
        Assert.Null(new FileInfo(Path.Combine(folder, "out.txt")).LinkTarget);
        Assert.Equal("new", File.ReadAllText(Path.Combine(folder, "out.txt")));
        Assert.Equal("not the data root's", File.ReadAllText(outside.File("target.txt")));
    }

    [Fact]
    public async Task An_upload_over_the_cap_leaves_no_temp_file()
    {
        const string job = "20260601-120000-0000abcd";
        Assert.Null(await Assets.StageAsync("p1", job, "big.bin", new MemoryStream(new byte[200_000]), maxBytes: 100_000));
        Assert.Empty(Directory.GetFileSystemEntries(Layout.Assets("p1", job)));
    }
}
