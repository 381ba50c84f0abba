namespace JobLogs.Tests.Support;

/// <summary>Signing in to a web that has a shared password (JobLogs:Web:Password), as a browser does.</summary>
public static class WebSignIn
{
    /// <summary>The sign-in form as a browser posts it, with the antiforgery token of the page it came from.</summary>
    public static async Task<FormUrlEncodedContent> LoginForm(this HttpClient web, string password, string returnUrl = "/system")
    {
        var page = await web.GetStringAsync($"/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        return new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["password"] = password, ["returnUrl"] = returnUrl, ["__RequestVerificationToken"] = token,
        });
    }
}
