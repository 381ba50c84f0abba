using System.Text.Json;
using JobLogs.Api.Events;
using JobLogs.Api.Jobs;
using JobLogs.Api.Retention;
using JobLogs.Api.Store.Files;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace JobLogs.Tests.Retention;

/// <summary>
/// Retention of jobs on a real data root: finished jobs past their age (failed ones kept longer) or past their
/// project's size lose their log and assets and keep a marked record; queued and running jobs are never touched.
/// </summary>
public sealed class JobRetentionTests : IDisposable
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private readonly TempDirectory _data = new("retention");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly DataLayout _layout;
    private readonly FileJobStore _store;
    private readonly FileLogStore _logs;

    public JobRetentionTests()
    {
        _layout = new DataLayout(_data.Path);
        _logs = new FileLogStore(_layout, "backend", 1 << 20, TimeProvider.System);
        _store = Store();
    }

    public void Dispose()
    {
        _logs.Dispose();
        _data.Dispose();
    }

    private FileJobStore Store() =>
        new(_layout, new ProjectEvents(_logs, new Redactor(RedactionSettings.None), NullLogger<ProjectEvents>.Instance), NullLogger<FileJobStore>.Instance);

    private Task<JobRemovals> Run(RetentionOptions limits) =>
        new JobRetention(_store, _logs, new FileAssetStore(_layout), new LogRemovals(), Options.Create(limits), _time, NullLogger<JobRetention>.Instance).ApplyAsync();

    private Task<JobRecord> Job(string projectId, JobStatus status, TimeSpan ago, int logBytes = 1000, int assetBytes = 0, bool cancelRequested = false) =>
        PastJobs.Add(_store, _layout, projectId, status, _time.GetUtcNow() - ago, logBytes, assetBytes, cancelRequested);

    private bool LogExists(JobRecord job) => File.Exists(_layout.JobLog(job.ProjectId, job.Id));

    private bool AssetsExist(JobRecord job) => Directory.Exists(_layout.Assets(job.ProjectId, job.Id));

    /// <summary>The removal the job's record holds, as saved on disk.</summary>
    private LogRemoval? Removed(JobRecord job) =>
        JsonSerializer.Deserialize<JobRecord>(File.ReadAllBytes(_layout.JobRecord(job.ProjectId, job.Id)), Json.Options)!.LogRemoved;

    [Fact]
    public async Task Past_their_age_finished_jobs_lose_log_and_assets_and_keep_a_marked_record()
    {
        var project = ApiFactory.NewProjectId();
        var old = await Job(project, JobStatus.Succeeded, 31 * Day, logBytes: 1200, assetBytes: 800);
        var canceled = await Job(project, JobStatus.Canceled, 31 * Day);
        var young = await Job(project, JobStatus.Succeeded, 29 * Day, assetBytes: 800);

        var removed = await Run(new RetentionOptions { JobMaxAge = 30 * Day });

        Assert.Equal((2, 1, 3000L), (removed.Jobs, removed.AssetFolders, removed.Bytes));
        Assert.False(LogExists(old));
        Assert.False(AssetsExist(old));
        Assert.Equal(new LogRemoval(_time.GetUtcNow(), "older than 30 days", 2000), Removed(old));
        Assert.Equal("older than 30 days", Removed(canceled)?.Reason);
        Assert.True(LogExists(young) && AssetsExist(young));
        Assert.Null(Removed(young));

        // The marked record is a valid record: an Api started again reads it back.
        var reloaded = Store();
        Assert.Equal(3, (await reloaded.OpenAsync()).Jobs);
        Assert.Equal(Removed(old), (await reloaded.GetAsync(project, old.Id))!.LogRemoved);
        Assert.True(File.Exists(_layout.JobRecord(project, old.Id)));

        // A second run finds nothing more to do.
        Assert.Equal(0, (await Run(new RetentionOptions { JobMaxAge = 30 * Day })).Jobs);
    }

    [Fact]
    public async Task Failed_jobs_are_kept_longer()
    {
        var project = ApiFactory.NewProjectId();
        var limits = new RetentionOptions { JobMaxAge = 30 * Day, FailedJobMaxAge = 90 * Day };
        var succeeded = await Job(project, JobStatus.Succeeded, 31 * Day);
        var failed = await Job(project, JobStatus.Failed, 31 * Day);

        await Run(limits);
        Assert.NotNull(Removed(succeeded));
        Assert.True(LogExists(failed));

        _time.Advance(60 * Day);
        await Run(limits);
        Assert.False(LogExists(failed));
        Assert.Equal("failed, older than 90 days", Removed(failed)?.Reason);
    }

    [Fact]
    public async Task Queued_running_and_just_finished_jobs_are_never_touched()
    {
        var project = ApiFactory.NewProjectId();
        var untouched = new[]
        {
            await Job(project, JobStatus.Queued, 400 * Day, logBytes: 20_000),
            await Job(project, JobStatus.Running, 400 * Day, logBytes: 20_000, assetBytes: 20_000),
            await Job(project, JobStatus.Running, 400 * Day, logBytes: 20_000, cancelRequested: true),
            // Its writers may still hold its log open for a few seconds.
            await Job(project, JobStatus.Succeeded, TimeSpan.FromSeconds(10), logBytes: 20_000),
        };

        var removed = await Run(new RetentionOptions { JobMaxAge = Day, ProjectMaxBytes = 4096 });

        Assert.Equal(0, removed.Jobs);
        Assert.All(untouched, job => Assert.True(LogExists(job) && Removed(job) is null));
        Assert.True(AssetsExist(untouched[1]));
    }

    [Fact]
    public async Task Past_its_size_a_project_loses_the_jobs_that_finished_first()
    {
        var project = ApiFactory.NewProjectId();
        // Created in this order, finished in another: c first, then a, d, b. 4000 bytes each, 16000 in all.
        var a = await Job(project, JobStatus.Succeeded, 3 * Day, logBytes: 3000, assetBytes: 1000);
        var b = await Job(project, JobStatus.Failed, 1 * Day, logBytes: 3000, assetBytes: 1000);
        var c = await Job(project, JobStatus.Succeeded, 4 * Day, logBytes: 3000, assetBytes: 1000);
        var d = await Job(project, JobStatus.Succeeded, 2 * Day, logBytes: 3000, assetBytes: 1000);
        var other = ApiFactory.NewProjectId();
        var small = new[] { await Job(other, JobStatus.Succeeded, 9 * Day, logBytes: 5000), await Job(other, JobStatus.Succeeded, 8 * Day, logBytes: 5000) };

        var removed = await Run(new RetentionOptions { ProjectMaxBytes = 10_000 });

        Assert.Equal((2, 8000L), (removed.Jobs, removed.Bytes));
        Assert.All(new[] { c, a }, job => Assert.Equal(new LogRemoval(_time.GetUtcNow(), "the project passed its limit of 10,000 bytes", 4000), Removed(job)));
        Assert.All(new[] { b, d }, job => Assert.True(LogExists(job) && AssetsExist(job) && Removed(job) is null));
        Assert.All(small, job => Assert.True(LogExists(job))); // the limit is per project
    }

    [Fact]
    public async Task Nothing_outside_the_data_root_is_touched()
    {
        using var outside = new TempDirectory("outside");
        var outsideFile = outside.File("keep.txt");
        File.WriteAllText(outsideFile, "not the data root's");
        Directory.CreateDirectory(outside.File("folder"));
        File.WriteAllText(outside.File("folder/keep-too.txt"), "not the data root's either");
        var project = ApiFactory.NewProjectId();

        // Links inside an assets folder, to a file and to a folder outside the root.
        var linked = await Job(project, JobStatus.Succeeded, 40 * Day, assetBytes: 50);
        var folder = _layout.Assets(project, linked.Id);
        File.CreateSymbolicLink(Path.Combine(folder, "out", "file-link.txt"), outsideFile);
        Directory.CreateSymbolicLink(Path.Combine(folder, "folder-link"), outside.File("folder"));
        // An assets folder that is itself a link to a folder outside.
        var linkedFolder = await Job(project, JobStatus.Succeeded, 40 * Day);
        Directory.CreateDirectory(Path.GetDirectoryName(_layout.Assets(project, linkedFolder.Id))!);
        Directory.CreateSymbolicLink(_layout.Assets(project, linkedFolder.Id), outside.File("folder"));

        var removed = await Run(new RetentionOptions { JobMaxAge = 30 * Day });

        Assert.Equal((2, 2050L), (removed.Jobs, removed.Bytes)); // what lies outside is neither counted nor removed
        Assert.False(Directory.Exists(folder));
        Assert.False(Path.Exists(_layout.Assets(project, linkedFolder.Id)));
        Assert.Equal("not the data root's", File.ReadAllText(outsideFile));
        Assert.Equal("not the data root's either", File.ReadAllText(outside.File("folder/keep-too.txt")));
    }

    [Fact]
    public async Task With_no_limits_set_nothing_is_removed()
    {
        var project = ApiFactory.NewProjectId();
        var ancient = await Job(project, JobStatus.Succeeded, 3650 * Day, logBytes: 100_000, assetBytes: 100_000);

        Assert.Equal(0, (await Run(new RetentionOptions())).Jobs);
        Assert.True(LogExists(ancient) && AssetsExist(ancient));
    }
}
