using BenchmarkDotNet.Attributes;
using JobLogs.ServiceDefaults.Redaction;

namespace JobLogs.Benchmarks;

/// <summary>The redaction engine per entry text: clean entries (the common case) and entries holding secrets.</summary>
public class RedactionBenchmarks
{
    private Redactor _redactor = null!;

    private const string Clean = "Tool hello exited with code 0 after 127 ms; wrote assets/20261128-191219-0f562e64/out_00001_.png (1.2 MB)";
    private const string WithSecrets = "POST https://user:hunter2hunter2@comfy.example/prompt?token=abcdef0123456789 failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijk";

    [GlobalSetup]
    public void Setup() => _redactor = new Redactor(new RedactionSettings(
        ["a-configured-secret-value", "hf_abcdefghijklmnopqrstuvwx"],
        [new PathAlias("models", "/srv/comfyui/models")], "/srv/joblogs/data"));

    [Benchmark(Baseline = true, Description = "clean entry")]
    public string CleanEntry() => _redactor.Redact(Clean);

    [Benchmark(Description = "entry with secrets")]
    public string SecretEntry() => _redactor.Redact(WithSecrets);
}
