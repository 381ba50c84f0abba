extern alias WebAssembly;
extern alias WorkerAssembly;
using System.Reflection;
using System.Text.RegularExpressions;
using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Security;

namespace JobLogs.Tests.Deployment;

/// <summary>
/// The deployment files (deploy/compose*.yaml, deploy/kubernetes/*.yaml) set only variables the services read: each
/// JobLogs, ComfyUI and connection-string variable names a setting of the services' options (a misspelt one would be
/// ignored without a word), and the Api's data volume is in files mode's compose alone.
/// </summary>
public sealed partial class DeploymentManifestTests
{
    private static readonly string[] Files =
    [
        .. Directory.EnumerateFiles(Repository.Path("deploy"), "compose*.yaml"),
        .. Directory.EnumerateFiles(Repository.Path("deploy", "kubernetes"), "*.yaml"),
    ];

    /// <summary>Every setting the services bind: each options class's section and properties (nested ones too), and the keyed sections.</summary>
    private static HashSet<string> Settings()
    {
        var settings = new HashSet<string>(new[] { ApiKeys.Callers.Worker, ApiKeys.Callers.Web, ApiKeys.Callers.Admin }.Select(caller => $"{ApiKeys.Section}:{caller}"),
            StringComparer.OrdinalIgnoreCase) { "ConnectionStrings:joblogs" };
        Assembly[] services = [typeof(JobLogs.Api.Workers.LeaseOptions).Assembly, typeof(WorkerAssembly::JobLogs.Worker.WorkerOptions).Assembly,
            typeof(WebAssembly::JobLogs.Web.WebOptions).Assembly, typeof(JobLogsOptions).Assembly];
        foreach (var type in services.SelectMany(a => a.GetTypes()))
        {
            var section = type.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
                ?? (type.Name == "PythonToolOptions" ? JobLogsOptions.Section : null);
            if (section is not null && type.GetProperties().Length > 0)
                Add(settings, section, type);
        }
        return settings;
    }

    private static void Add(HashSet<string> settings, string prefix, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            settings.Add($"{prefix}:{property.Name}");
            if (property.PropertyType.IsClass && property.PropertyType != typeof(string) && property.PropertyType.Namespace?.StartsWith("JobLogs", StringComparison.Ordinal) == true)
                Add(settings, $"{prefix}:{property.Name}", property.PropertyType);
        }
    }

    [Fact]
    public void Every_variable_the_deployment_files_set_is_a_setting_the_services_read()
    {
        var settings = Settings();
        Assert.Contains("JobLogs:Worker:ApiUrl", settings);
        Assert.Contains("JobLogs:Redaction:MinSecretLength", settings);
        var checkedAny = 0;
        foreach (var file in Files)
            foreach (Match variable in Variable().Matches(File.ReadAllText(file)))
            {
                var key = variable.Groups["name"].Value.Replace("__", ":", StringComparison.Ordinal);
                checkedAny++;
                Assert.True(settings.Contains(key) || key.StartsWith("JobLogs:Secrets:", StringComparison.Ordinal),
                    $"{Path.GetFileName(file)} sets {variable.Groups["name"].Value}, which no service reads.");
            }
        Assert.True(checkedAny > 30, $"only {checkedAny} variables found: the files' shape changed and this test reads none of them");
    }

    [Fact]
    public void Only_files_modes_api_has_a_volume_and_cluster_modes_files_give_every_api_a_connection_string()
    {
        var files = File.ReadAllText(Repository.Path("deploy", "compose.yaml"));
        Assert.Single(Regex.Matches(files, @"^\s+volumes: \[data:/data\]", RegexOptions.Multiline));
        var cluster = File.ReadAllText(Repository.Path("deploy", "compose.cluster.yaml"));
        Assert.Single(Regex.Matches(cluster, @"^\s+volumes: \[", RegexOptions.Multiline)); // postgres's own
        Assert.Contains("ConnectionStrings__joblogs", cluster);
        Assert.Contains("ConnectionStrings__joblogs", File.ReadAllText(Repository.Path("deploy", "kubernetes", "api.yaml")));
    }

    // compose: "      JobLogs__Worker__ApiUrl: value"; kubernetes: "- name: JobLogs__Worker__ApiUrl".
    [GeneratedRegex(@"^\s*(?:- name: )?(?<name>(?:JobLogs|ComfyUI|ConnectionStrings)__[A-Za-z0-9_]+)(?::|\s*$)", RegexOptions.Multiline)]
    private static partial Regex Variable();
}
