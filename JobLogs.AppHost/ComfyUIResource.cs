namespace JobLogs.AppHost;

/// <summary>
/// The ComfyUI the worker talks to: the one at <c>ComfyUI:Url</c> (an external service, its token a secret parameter
/// from <c>ComfyUI:Token</c>; deployed, both are parameters), or, when none is configured, the local stand-in
/// (comfyui-standin/standin.py).
/// </summary>
internal sealed record ComfyUIResource(
    IResourceBuilder<ExternalServiceResource>? External, ReferenceExpression? Url, IResourceBuilder<ParameterResource>? Token,
    IResourceBuilder<ExecutableResource>? StandIn)
{
    public const string Name = "comfyui";
}
