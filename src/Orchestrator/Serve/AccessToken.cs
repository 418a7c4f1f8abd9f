using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.Serve;

/// <summary>
/// The token a view bound to another address than loopback asks for, the way Jupyter does: generated
/// at start, printed in the URL, then kept by the browser in a cookie. Compared in constant time.
/// </summary>
internal sealed class AccessToken
{
    public const string QueryName = "token";
    private const string CookieName = "orchestrator_token";
    private readonly byte[] _expected;

    private AccessToken(string value)
    {
        Value = value;
        _expected = Encoding.UTF8.GetBytes(value);
    }

    public string Value { get; }

    /// <summary>A token for a view bound to <paramref name="address"/>; null for a loopback address, which needs none.</summary>
    public static AccessToken? For(IPAddress address) =>
        IPAddress.IsLoopback(address) ? null : new AccessToken(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));

    public bool Matches(string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _expected);

    /// <summary>Lets a request through with the token in its query or cookie (a query's token is kept in a cookie); else 401 and no data.</summary>
    public async Task Check(HttpContext context, RequestDelegate next)
    {
        var fromQuery = context.Request.Query[QueryName].ToString();
        if (Matches(fromQuery))
        {
            context.Response.Cookies.Append(CookieName, Value, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            await next(context);
            return;
        }
        if (Matches(context.Request.Cookies[CookieName]))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("401: this view needs its token: open the URL `orchestrator serve` printed (it ends with ?token=…)");
    }
}
