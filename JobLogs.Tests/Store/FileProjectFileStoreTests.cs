using JobLogs.Api.Store;
using JobLogs.Api.Store.Files;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Store;

/// <summary>The project file store contract on files, and what only files have: links, never followed.</summary>
public sealed class FileProjectFileStoreTests : ProjectFileStoreContract
{
    private readonly TempDirectory _data = new("project-files");
    private DataLayout Layout => new(_data.Path);

    private protected override Task<IProjectFileStore> CreateAsync() => Task.FromResult<IProjectFileStore>(new FileProjectFileStore(Layout));

    private protected override async Task PutAsync(string projectId, string path, byte[] bytes)
    {
        var file = Path.Combine(Layout.ProjectFiles(projectId), path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, bytes);
    }

    public override Task DisposeAsync()
    {
        _data.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_link_among_the_projects_files_is_not_followed()
    {
        using var outside = new TempDirectory("outside");
        File.WriteAllText(outside.File("secret.json"), "{}");
        var project = ApiFactory.NewProjectId();
        await PutAsync(project, "workflows/a.json", [1]);
        File.CreateSymbolicLink(Path.Combine(Layout.ProjectFiles(project), "workflows", "link.json"), outside.File("secret.json"));
        Directory.CreateSymbolicLink(Path.Combine(Layout.ProjectFiles(project), "folder-link"), outside.Path);

        Assert.Null(await Files.FindAsync(project, ["workflows", "link.json"]));
        Assert.Null(await Files.FindAsync(project, ["folder-link", "secret.json"]));
        Assert.NotNull(await Files.FindAsync(project, ["workflows", "a.json"]));
    }
}
