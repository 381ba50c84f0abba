namespace JobLogs.AppHost;

/// <summary>A deployment's access secrets (docs/DEPLOYMENT.md, API keys in the cloud): a key per caller of the Api, and the web's password.</summary>
internal sealed record AccessSecrets(
    IResourceBuilder<ParameterResource> WorkerKey, IResourceBuilder<ParameterResource> WebKey,
    IResourceBuilder<ParameterResource> AdminKey, IResourceBuilder<ParameterResource> WebPassword)
{
    public IResourceBuilder<ParameterResource> Key(string caller) => caller switch
    {
        "Worker" => WorkerKey,
        "Web" => WebKey,
        "Admin" => AdminKey,
        _ => throw new ArgumentException($"Unknown caller '{caller}'.", nameof(caller)),
    };
}
