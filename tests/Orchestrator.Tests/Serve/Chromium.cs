using Microsoft.Playwright;

namespace Orchestrator.Tests.Serve;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright (launched by path: Playwright downloads no
/// browser). Pages are 1280×800; script errors on a page are collected, and screenshots go to the
/// test output folder (screenshots/).
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    public const string Path = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public List<string> PageErrors { get; } = [];

    public static string ScreenshotFolder => System.IO.Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task<Chromium> LaunchAsync()
    {
        if (!File.Exists(Path)) throw new Xunit.Sdk.XunitException($"no Chromium at {Path}: `apt-get install chromium` (./test installs it)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Path, Headless = true });
        return new Chromium(playwright, browser);
    }

    public async Task<IPage> OpenAsync(string url)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        page.PageError += (_, e) => PageErrors.Add(e);
        await page.GotoAsync(url);
        return page;
    }

    /// <summary>Saves the whole page as screenshots/<paramref name="name"/>.png; returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = System.IO.Path.Combine(ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
