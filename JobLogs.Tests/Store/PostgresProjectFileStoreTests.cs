using JobLogs.Api.Store;
using JobLogs.Api.Store.Postgres;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Store;

/// <summary>The project file store contract on PostgreSQL, and what only it has: a put for files, which have no folder to be dropped in.</summary>
public sealed class PostgresProjectFileStoreTests(PostgresDatabase database) : ProjectFileStoreContract, IClassFixture<PostgresDatabase>
{
    private readonly PostgresProjectFileStore _store = new(database.DataSource);

    private protected override Task<IProjectFileStore> CreateAsync() => Task.FromResult<IProjectFileStore>(_store);

    private protected override async Task PutAsync(string projectId, string path, byte[] bytes)
    {
        await using var staged = await _store.StageAsync(projectId, path, new MemoryStream(bytes), long.MaxValue);
        await staged!.CommitAsync();
    }

    [Fact]
    public async Task A_file_put_again_replaces_it_and_one_over_the_cap_leaves_the_old_one()
    {
        var project = ApiFactory.NewProjectId();
        await using (var first = (await _store.StageAsync(project, "workflows/a.json", new MemoryStream([1, 2]), maxBytes: 10))!)
            Assert.Equal(($"projects/{project}/files/workflows/a.json", false), await first.CommitAsync());
        await using (var again = (await _store.StageAsync(project, "workflows/a.json", new MemoryStream([3]), maxBytes: 10))!)
            Assert.True((await again.CommitAsync()).Replaced);
        Assert.Null(await _store.StageAsync(project, "workflows/a.json", new MemoryStream(new byte[11]), maxBytes: 10));

        await using var stream = (await Files.FindAsync(project, ["workflows", "a.json"]))!.Open();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(new byte[] { 3 }, copy.ToArray());
    }

    [Fact]
    public async Task A_put_takes_only_a_path_a_job_could_name_and_never_under_assets()
    {
        var project = ApiFactory.NewProjectId();
        foreach (var path in new[] { "../other/a.json", "/etc/passwd", "a//b.json", "./a.json", "logs/jobs/x.jsonl", "assets/20260601-120000-0000abcd/a.png", "" })
            await Assert.ThrowsAsync<ArgumentException>(() => _store.StageAsync(project, path, new MemoryStream([1]), maxBytes: 10));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.StageAsync("../p", "a.json", new MemoryStream([1]), maxBytes: 10));
    }

    [Fact]
    public async Task A_jobs_assets_are_among_the_projects_files_as_in_files_mode()
    {
        var project = ApiFactory.NewProjectId();
        const string job = "20260601-120000-0000abcd";
        await using (var staged = (await new PostgresAssetStore(database.DataSource).StageAsync(project, job, "out.png", new MemoryStream([1, 2, 3]), maxBytes: 10))!)
            await staged.CommitAsync();

        Assert.Equal(3, (await Files.FindAsync(project, ["assets", job, "out.png"]))!.Length);
    }
}
