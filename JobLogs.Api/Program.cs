using JobLogs.Api.Extensions;
using JobLogs.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Api);
builder.AddApiServices();

var app = builder.Build();

app.MapApi();

return await app.RunServiceAsync();

public partial class Program;
