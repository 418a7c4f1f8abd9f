using System.Net;

namespace Orchestrator.Serve;

/// <summary>
/// The HTML of each page: a shell with the page's kind and subject as (escaped) attributes; app.js
/// fills it from the JSON endpoints, writing every string from the store as text, never as markup.
/// </summary>
internal static class Pages
{
    public static string Html(string page, string title, string? subject = null) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{WebUtility.HtmlEncode(title)}} · orchestrator</title>
        <link rel="stylesheet" href="/static/vendor/uplot/uPlot.min.css">
        <link rel="stylesheet" href="/static/app.css">
        </head>
        <body data-page="{{page}}" data-subject="{{WebUtility.HtmlEncode(subject ?? "")}}">
        <header><a class="brand" href="/">orchestrator</a><nav><a href="/">sweeps</a><a href="/compare">compare</a></nav><span id="live" class="live"></span></header>
        <div id="error" class="error" role="alert" hidden></div>
        <main id="main"><p class="muted">loading…</p></main>
        <script src="/static/vendor/uplot/uPlot.iife.min.js"></script>
        <script src="/static/app.js"></script>
        </body>
        </html>
        """;
}
