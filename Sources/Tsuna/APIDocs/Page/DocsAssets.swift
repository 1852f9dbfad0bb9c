/// The /docs page's own stylesheet and script, served by the binary (the page's Content-Security-Policy allows
/// nothing from another host). Their URLs carry the release, so browsers may keep them.
enum DocsAssets {
    static let stylesheetPath = "/docs/docs.css?v=\(TsunaVersion.string)"
    static let scriptPath = "/docs/docs.js?v=\(TsunaVersion.string)"

    static let css = """
    :root{--ink:#1d2330;--muted:#5f6b7a;--line:#d9dee5;--bg:#f5f7fa;--card:#fff;--accent:#2457c5;\
    font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);line-height:1.45}
    *{box-sizing:border-box}
    body{margin:0}
    a{color:var(--accent)}
    code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
    header{background:var(--ink);color:#fff;padding:.8rem 1.2rem}
    header h1{margin:0;font-size:1.35rem}
    header small{font-weight:400;opacity:.75}
    header p{margin:.3rem 0 0}
    header a{color:#fff}
    .layout{display:flex;align-items:flex-start;gap:1rem;padding:1rem}
    nav{position:sticky;top:1rem;min-width:11rem}
    nav ul{list-style:none;margin:0;padding:0}
    nav li{margin:.15rem 0}
    main{flex:1;min-width:0}
    .intro{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.2rem 1rem;margin-bottom:1rem}
    .filter input{font:inherit;padding:.35rem .5rem;width:min(30rem,100%);border:1px solid var(--line);border-radius:4px}
    .tag h2{margin:1.4rem 0 .6rem;text-transform:capitalize}
    .op{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.2rem 1rem .6rem;margin:.6rem 0}
    .op h3{margin:.6rem 0 .2rem;font-size:1.05rem;display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
    .op h4{margin:.8rem 0 .3rem;font-size:.95rem}
    .summary{margin:.1rem 0;font-weight:600}
    .who{margin:.2rem 0;color:var(--muted)}
    .method{display:inline-block;min-width:4.2rem;text-align:center;border-radius:4px;padding:.1rem .4rem;color:#fff;font-size:.85rem}
    .get{background:#1f7a3d}.post{background:#2457c5}.put{background:#9a5b00}.patch{background:#7a4cc2}.delete{background:#b42318}
    .badge{display:inline-block;font-size:.8rem;border:1px solid var(--line);border-radius:999px;padding:0 .5rem;margin-left:.3rem}
    .badge.open{color:var(--muted)}
    .req{font-size:.75rem;color:#b42318}
    .media{font-family:ui-monospace,monospace;font-size:.85em;background:var(--bg);border-radius:3px;padding:0 .3rem}
    table{border-collapse:collapse;width:100%;font-size:.92rem}
    th,td{border-bottom:1px solid var(--line);padding:.3rem .4rem;text-align:left;vertical-align:top}
    th{color:var(--muted);font-weight:600}
    td table{margin-top:.3rem}
    dl.responses{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .8rem;margin:0}
    dl.responses dt{font-weight:700}
    .s2xx{color:#1f7a3d}.s3xx{color:#2457c5}.s4xx{color:#9a5b00}.s5xx{color:#b42318}
    @media (max-width:760px){.layout{display:block}nav{position:static;margin-bottom:1rem}nav ul{display:flex;flex-wrap:wrap;gap:.2rem .8rem}}
    """

    /// Shows the filter box and hides the operations that do not match what is typed in it.
    static let script = """
    "use strict";
    document.addEventListener("DOMContentLoaded", function () {
      var box = document.getElementById("filter");
      if (!box) { return; }
      box.parentElement.parentElement.hidden = false;
      box.addEventListener("input", function () {
        var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
        document.querySelectorAll("section.tag").forEach(function (section) {
          var shown = 0;
          section.querySelectorAll("article.op").forEach(function (op) {
            var text = op.textContent.toLowerCase();
            var match = words.every(function (w) { return text.indexOf(w) !== -1; });
            op.hidden = !match;
            if (match) { shown += 1; }
          });
          section.hidden = shown === 0;
        });
      });
    });
    """
}
