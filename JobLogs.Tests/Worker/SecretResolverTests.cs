extern alias WorkerAssembly;
using System.Text.Json;
using JobLogs.ServiceDefaults.Redaction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using WorkerAssembly::JobLogs.Worker.Jobs;

namespace JobLogs.Tests.Worker;

/// <summary>The worker's one place that turns secret references into values, from its configuration.</summary>
public sealed class SecretResolverTests
{
    private static SecretResolver Resolver(params (string Name, string Value)[] secrets) => new(
        new ConfigurationBuilder().AddInMemoryCollection(secrets.Select(s => new KeyValuePair<string, string?>($"JobLogs:Secrets:{s.Name}", s.Value))).Build(),
        new Redactor(RedactionSettings.None), NullLogger<SecretResolver>.Instance);

    [Fact]
    public void References_are_replaced_at_any_depth_and_everything_else_is_kept()
    {
        using var input = JsonDocument.Parse("""{"token": {"$secret": "HF"}, "list": [1, {"$secret": "DB.pw"}], "name": "Ada", "n": 2.5, "ok": true}""");
        var resolved = Resolver(("HF", "hf-value-123456"), ("DB.pw", "db-value-123456")).Resolve(input.RootElement);
        Assert.Equal("""{"token":"hf-value-123456","list":[1,"db-value-123456"],"name":"Ada","n":2.5,"ok":true}""", resolved.GetRawText());
    }

    [Fact]
    public void An_input_without_references_is_returned_as_it_is()
    {
        using var input = JsonDocument.Parse("""{"name": "Ada"}""");
        Assert.Equal(input.RootElement.GetRawText(), Resolver().Resolve(input.RootElement).GetRawText());
    }

    [Fact]
    public void A_secret_the_configuration_lacks_fails_the_job_with_a_card_naming_it_and_where_it_is()
    {
        using var input = JsonDocument.Parse("""{"auth": {"header": {"$secret": "COMFY"}}}""");
        var failed = Assert.Throws<JobFailedException>(() => Resolver(("OTHER", "x-123456789")).Resolve(input.RootElement));
        Assert.Equal("secret missing", failed.Card.Type);
        Assert.Equal("secrets", failed.Card.Stage);
        Assert.Equal("input.auth.header", failed.Card.Where);
        Assert.Contains("secret COMFY", failed.Card.Message);
    }
}
