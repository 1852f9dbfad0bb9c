import HTTP

/// The panel's one stylesheet, served by the binary. Its URL carries the release, so browsers may keep it for a
/// long time. Narrow screens get a single column and tables whose rows stack as cards.
enum PanelStylesheet {
    static let path = "/admin/static/panel.css?v=\(TsunaVersion.string)"

    static func register(on panel: Panel) {
        let body = Array(css.utf8)
        panel.plain("/admin/static/panel.css", "The panel's stylesheet") { _ in
            var headers = HTTPHeaders()
            headers.add("Content-Type", "text/css; charset=utf-8")
            headers.add("Cache-Control", "public, max-age=86400")
            return Response(status: 200, headers: headers, body: .bytes(body))
        }
    }

    static let css = """
    :root{--ink:#1d2330;--muted:#5f6b7a;--line:#d9dee5;--bg:#f5f7fa;--card:#fff;--accent:#2457c5;--ok:#1f7a3d;\
    --warn:#9a5b00;--bad:#b42318;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);\
    background:var(--bg);line-height:1.45}
    *{box-sizing:border-box}
    body{margin:0}
    a{color:var(--accent)}
    header{background:var(--ink);color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.2rem;align-items:center}
    header a{color:#fff;text-decoration:none}
    .brand{font-weight:700;margin-right:auto}
    .brand small{font-weight:400;opacity:.75}
    nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem}
    nav a[aria-current]{text-decoration:underline;text-underline-offset:.3rem}
    .signout{display:flex;gap:.5rem;align-items:center;font-size:.9rem;opacity:.9}
    .signout button{background:transparent;color:#fff;border-color:#fff6}
    main{max-width:72rem;margin:0 auto;padding:1rem}
    h1{font-size:1.5rem;margin:.5rem 0 1rem}
    h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
    .notice{background:#e7f4ec;border:1px solid #b7dfc4;padding:.6rem .8rem;border-radius:.4rem}
    .error{background:#fdecea;border:1px solid #f5c2bd;padding:.6rem .8rem;border-radius:.4rem}
    .muted,.empty{color:var(--muted)}
    .table{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:.5rem}
    table{border-collapse:collapse;width:100%}
    th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
    th{font-size:.85rem;color:var(--muted);font-weight:600}
    tbody tr:last-child td{border-bottom:0}
    td form.action{display:inline-block;margin:0 .3rem .3rem 0}
    .badge{display:inline-block;font-size:.8rem;padding:.05rem .45rem;border-radius:1rem;background:#eef1f5;color:var(--muted)}
    .badge.ok{background:#e7f4ec;color:var(--ok)}.badge.warn{background:#fff4e0;color:var(--warn)}
    .badge.bad{background:#fdecea;color:var(--bad)}
    .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.8rem}
    .card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.8rem}
    .card b{display:block;font-size:1.4rem}
    .card span{color:var(--muted);font-size:.85rem}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;background:var(--card);\
    border:1px solid var(--line);border-radius:.5rem;padding:.8rem;margin:0}
    dl.facts dt{color:var(--muted)}
    dl.facts dd{margin:0;overflow-wrap:anywhere}
    form.search,form.filters{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:1rem;align-items:end}
    form.signin,form.edit{display:grid;gap:.8rem;max-width:26rem;background:var(--card);border:1px solid var(--line);\
    border-radius:.5rem;padding:1rem}
    label{display:grid;gap:.25rem;font-size:.9rem}
    label.confirm,label.check{display:flex;gap:.4rem;align-items:center}
    input,select,textarea,button{font:inherit;padding:.4rem .6rem;border:1px solid var(--line);border-radius:.35rem}
    input,select,textarea{background:#fff;color:var(--ink);min-width:0}
    button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
    button.danger{background:var(--bad);border-color:var(--bad)}
    button.quiet{background:#fff;color:var(--ink);border-color:var(--line)}
    .actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;margin:1rem 0}
    .actions form{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;background:var(--card);\
    border:1px solid var(--line);border-radius:.5rem;padding:.5rem}
    .pages{display:flex;gap:1rem;margin:1rem 0}
    .field-error{color:var(--bad);font-size:.85rem}
    blockquote{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
    code{font-size:.9em}
    @media (max-width:40rem){
      thead{display:none}
      table,tbody,tr,td{display:block;width:100%}
      tr{border-bottom:1px solid var(--line);padding:.4rem 0}
      td{border:0;padding:.2rem .6rem}
      td::before{content:attr(data-label);display:block;font-size:.75rem;color:var(--muted)}
      dl.facts{grid-template-columns:1fr}
      dl.facts dd{margin-bottom:.4rem}
    }
    """
}
