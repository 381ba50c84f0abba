using JobLogs.Api.Extensions;
using JobLogs.ServiceDefaults;

if (HealthProbe.IsRequested(args))
    return await HealthProbe.RunAsync();

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Api);
builder.AddApiServices();

var app = builder.Build();

return await app.RunServiceAsync(app => app.MapApi());

public partial class Program;
