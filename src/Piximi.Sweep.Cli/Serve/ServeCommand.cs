using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Piximi.Sweep.Cli.Commands;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Serve;

/// <summary>What <c>serve</c> was asked for: the store, and where to listen (port 0: any free port, printed at start).</summary>
internal sealed record ServeOptions(string Store, string Host, int Port);

/// <summary>
/// <c>serve</c>: a read-only dashboard over a store, on Kestrel (the SDK's own ASP.NET Core: nothing else to install).
/// On a loopback address anyone on this machine may look, as they may read the store; on any other address a random
/// token, printed here, is required (<see cref="AccessToken"/>), since the dashboard then reaches the network.
/// </summary>
internal sealed class ServeCommand(TextWriter output)
{
    public async Task<int> ExecuteAsync(ServeOptions options, CancellationToken stop = default)
    {
        var address = ListenAddress(options.Host);
        if (options.Port is < 0 or > 65535) throw new UserErrorException($"--port must be 0 to 65535, got {options.Port}.");
        // Fail at once, as the other verbs do, when the store cannot be read, rather than on the first page.
        using (StoreAccess.OpenForReading(options.Store))
        {
        }
        var token = IPAddress.IsLoopback(address) ? null : AccessToken.New();
        await using var app = Build(options, address, token);
        try
        {
            await app.StartAsync(stop);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
        {
            throw new UserErrorException($"{options.Host}:{options.Port} is already in use; choose another with --port (0: any free port).");
        }
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        Announce(options, address, port, token);
        _ = DashboardEndpoints.Prepare(options.Store);
        await app.WaitForShutdownAsync(stop);
        return ExitCodes.Ok;
    }

    private void Announce(ServeOptions options, IPAddress address, int port, string? token)
    {
        var store = StoreLocations.Describe(options.Store);
        if (token is null)
        {
            output.WriteLine($"Dashboard of {store} (read-only) at http://{UrlHost(address)}:{port}/");
        }
        else
        {
            var host = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? Dns.GetHostName() : UrlHost(address);
            output.WriteLine($"Dashboard of {store} (read-only) on {options.Host}:{port}, for anyone with the token:");
            output.WriteLine($"  http://{host}:{port}/?token={token}");
            output.WriteLine($"Token: {token} (a new one at every start; requests without it are refused with 401)");
        }
        output.WriteLine("Ctrl+C stops it.");
        output.Flush();
    }

    private static string UrlHost(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    /// <summary>Kestrel listens on addresses, not names: localhost is the IPv4 loopback, anything else must be an address.</summary>
    private static IPAddress ListenAddress(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(host.Trim('[', ']'), out var address) ? address
        : throw new UserErrorException($"--host must be an IP address (127.0.0.1, ::1, 0.0.0.0, …) or localhost, got '{host}'.");

    private static WebApplication Build(ServeOptions options, IPAddress address, string? token)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // Its own lines only: ASP.NET's start-up and per-request logging would bury the URL and token.
        builder.Logging.ClearProviders();
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.UseKestrel(k => k.Listen(address, options.Port));
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.WriteIndented = false);
        var app = builder.Build();
        app.Use(SecurityHeaders);
        if (token is not null) app.Use(AccessToken.Require(token));
        else app.Use(LoopbackHosts.Require);
        DashboardEndpoints.Map(app, options.Store);
        return app;
    }

    /// <summary>Nothing the pages load comes from elsewhere, and no other site may frame them.</summary>
    private static Task SecurityHeaders(Microsoft.AspNetCore.Http.HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return next();
    }
}
