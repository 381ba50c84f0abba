using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace JobLogs.Web.Pages;

[AllowAnonymous]
public sealed class LoginModel(IOptions<WebOptions> options) : PageModel
{
    public string ReturnUrl { get; private set; } = "/";
    public bool Failed { get; private set; }

    public void OnGet(string? returnUrl) => ReturnUrl = Local(returnUrl);

    public async Task<IActionResult> OnPostAsync(string? password, string? returnUrl)
    {
        ReturnUrl = Local(returnUrl);
        var expected = options.Value.Password;
        if (string.IsNullOrEmpty(expected) || password is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(expected)))
        {
            Failed = true;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "joblogs user")], CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return LocalRedirect(ReturnUrl);
    }

    // Only paths of this site: a sign-in never redirects elsewhere.
    private string Local(string? returnUrl) => returnUrl is not null && Url.IsLocalUrl(returnUrl) ? returnUrl : "/";
}
