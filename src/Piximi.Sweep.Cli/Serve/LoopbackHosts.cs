using Microsoft.AspNetCore.Http;

namespace Piximi.Sweep.Cli.Serve;

/// <summary>
/// Without a token the dashboard trusts whoever reaches its loopback address, but a web page from elsewhere can reach
/// it too by DNS rebinding (its own name made to resolve to 127.0.0.1, so the browser calls it same-origin). Such a
/// request still carries that other name in its Host header: only localhost, 127.0.0.1 and [::1] at the port listened
/// on are answered; anything else gets 403.
/// </summary>
internal static class LoopbackHosts
{
    private static readonly string[] Names = ["localhost", "127.0.0.1", "[::1]"];

    public static async Task Require(HttpContext context, Func<Task> next)
    {
        if (Allowed(context.Request.Host, context.Connection.LocalPort))
        {
            await next();
            return;
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(
            $"403: this dashboard answers only http://localhost:{context.Connection.LocalPort}/ or http://127.0.0.1:{context.Connection.LocalPort}/ (Host header refused, against DNS rebinding).\n");
    }

    /// <summary>A browser leaves the port out of Host only for its scheme's default, 80.</summary>
    internal static bool Allowed(HostString host, int port) =>
        host.HasValue && Names.Contains(host.Host, StringComparer.OrdinalIgnoreCase) && (host.Port ?? 80) == port;
}
