using Microsoft.Extensions.Hosting;

namespace JobLogs.Tests.Services;

public sealed class HealthProbeTests
{
    [Theory]
    [InlineData("http://+:8080", null, "http://localhost:8080/")]
    [InlineData("http://*:5000;https://*:5001", null, "http://localhost:5000/")]
    [InlineData("http://0.0.0.0:9000/", null, "http://localhost:9000/")]
    [InlineData("http://127.0.0.1:7000", null, "http://127.0.0.1:7000/")]
    [InlineData(null, "8081", "http://localhost:8081/")]
    [InlineData(null, "8082;8083", "http://localhost:8082/")]
    [InlineData(null, null, "http://localhost:8080/")]
    public void The_probe_asks_the_service_where_it_listens(string? urls, string? ports, string expected) =>
        Assert.Equal(new Uri(expected), HealthProbe.LocalAddress(urls, ports));
}
