using System.Net.Http.Json;
using JobLogs.Api.Events;
using JobLogs.Events;
using JobLogs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace JobLogs.Tests.Events;

/// <summary>The Api's event writer under load: appends from many threads stay whole lines, and a reader paging by offset meanwhile sees each once, in order.</summary>
public sealed class EventAppendTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly string _project = ApiFactory.NewProjectId();
    private ProjectEvents Writer => api.Services.GetRequiredService<ProjectEvents>();

    private ProjectEvent Approval(int n) => new()
    {
        Ts = DateTimeOffset.UtcNow, Type = ProjectEventTypes.AssetApproved, ProjectId = _project, AssetId = "hero",
        Data = new ProjectEventData { Note = n.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    [Fact]
    public void Appends_from_many_threads_are_whole_lines_and_none_is_lost()
    {
        const int Threads = 4, Each = 500;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            for (var i = 0; i < Each; i++)
                Assert.NotNull(Writer.Append(Approval(t * Each + i)));
        });

        var lines = JsonLines.Read(api.Layout.Events(_project)); // throws on a torn line
        Assert.Equal(Threads * Each, lines.Count);
        Assert.Equal(Enumerable.Range(0, Threads * Each), lines.Select(l => int.Parse(l.GetProperty("data").Str("note")!)).Order());
        Assert.All(lines.Take(50), line => JsonLines.AssertValid(Schemas.ProjectEvent, line));
    }

    [Fact]
    public async Task A_reader_paging_forward_while_the_writer_appends_sees_every_event_once_in_order()
    {
        const int Count = 2000;
        var http = api.CreateClient();
        var writing = Task.Run(() =>
        {
            for (var i = 0; i < Count; i++)
                Writer.Append(Approval(i));
        });

        var seen = new List<int>();
        long after = 0;
        await Eventually.True(async () =>
        {
            var page = await http.GetFromJsonAsync<ProjectEventPage>($"/api/projects/{_project}/events?after={after}&limit=97", Json.Options);
            Assert.All(page!.Entries, e => Assert.Null(e.Malformed));
            seen.AddRange(page.Entries.Select(e => int.Parse(e.Event!.Data!.Note!)));
            after = page.End;
            return seen.Count >= Count;
        }, TimeSpan.FromSeconds(60), $"{Count} events read by offset");
        await writing;

        Assert.Equal(Enumerable.Range(0, Count), seen);
    }
}
