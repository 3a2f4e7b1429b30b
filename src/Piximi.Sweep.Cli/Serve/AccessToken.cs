using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Piximi.Sweep.Cli.Serve;

/// <summary>
/// The token <c>serve</c> requires off loopback. Given as <c>?token=</c> (the printed URL), an
/// <c>Authorization: Bearer</c> or <c>X-Piximi-Token</c> header (scripts), or the cookie the first tokened page sets, so
/// that the page's own links and polls carry it without putting it in every URL. Compared in constant time.
/// </summary>
internal static class AccessToken
{
    public const string Header = "X-Piximi-Token";
    public const string Cookie = "piximi-sweep-token";

    /// <summary>256 random bits, URL-safe.</summary>
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static Func<HttpContext, Func<Task>, Task> Require(string token)
    {
        var expected = Encoding.UTF8.GetBytes(token);
        return async (context, next) =>
        {
            var request = context.Request;
            var fromQuery = request.Query["token"].ToString();
            var given = new[]
            {
                fromQuery, request.Headers[Header].ToString(), Bearer(request.Headers.Authorization.ToString()),
                request.Cookies[Cookie] ?? "",
            };
            if (!given.Any(g => g.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(g), expected)))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("401: this dashboard needs the token serve printed when it started (?token=…).\n");
                return;
            }
            if (fromQuery.Length > 0 && request.Cookies[Cookie] != fromQuery)
            {
                context.Response.Cookies.Append(Cookie, fromQuery, new CookieOptions
                {
                    HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true,
                });
            }
            await next();
        };
    }

    private static string Bearer(string authorization) =>
        authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : "";
}
