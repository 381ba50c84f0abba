using JobLogs.Api.Store;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Store;

/// <summary>What every project file store does, tested through <see cref="IProjectFileStore"/> alone.</summary>
public abstract class ProjectFileStoreContract : IAsyncLifetime
{
    private protected IProjectFileStore Files { get; private set; } = null!;

    private protected abstract Task<IProjectFileStore> CreateAsync();

    /// <summary>
    /// Puts a file among the project's files, as an operator does: on disk in files mode (that store only reads them), through
    /// the store's own put in cluster mode.
    /// </summary>
    private protected abstract Task PutAsync(string projectId, string path, byte[] bytes);

    public async Task InitializeAsync() => Files = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_file_is_found_by_its_path_with_its_size_and_bytes()
    {
        var project = ApiFactory.NewProjectId();
        await PutAsync(project, "workflows/txt2img.json", "{}"u8.ToArray());

        var file = (await Files.FindAsync(project, ["workflows", "txt2img.json"]))!;
        Assert.Equal(("txt2img.json", 2L), (file.Name, file.Length));
        await using var stream = file.Open();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal("{}"u8.ToArray(), copy.ToArray());
    }

    [Fact]
    public async Task A_path_the_project_has_no_file_at_finds_nothing_and_nothing_leaves_the_project()
    {
        var project = ApiFactory.NewProjectId();
        var other = ApiFactory.NewProjectId();
        await PutAsync(project, "workflows/a.json", [1]);
        await PutAsync(other, "workflows/b.json", [1]);

        Assert.Null(await Files.FindAsync(project, ["workflows", "missing.json"]));
        Assert.Null(await Files.FindAsync(project, ["workflows"])); // a folder is not a file
        Assert.Null(await Files.FindAsync(project, ["..", "..", other, "files", "workflows", "b.json"]));
        Assert.Null(await Files.FindAsync(other, ["workflows", "a.json"]));
    }
}
