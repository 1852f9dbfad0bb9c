import HTTP

/// The panel's sections, in the order of its navigation.
enum PanelSection: String, CaseIterable, Sendable {
    case dashboard, users, memberships, channels, contents, comments, mail, audit

    var path: String { self == .dashboard ? "/admin/" : "/admin/\(rawValue)/" }
    var label: String { self == .mail ? "Mail" : rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
}

/// The document around every page: head, navigation (with the sign-out form) and the main content. Nothing is
/// fetched from another host and no script runs: the stylesheet is the panel's own.
enum PanelLayout {
    /// Who is signed in, for the navigation's sign-out form.
    struct SignedIn: Sendable {
        let email: String
        let csrfToken: String
    }

    static func document(title: String, section: PanelSection?, signedIn: SignedIn?, notice: String?,
                         body: Markup) -> String {
        var nav: Markup = ""
        if let signedIn {
            let links = PanelSection.allCases.map { s -> Markup in
                s == section ? "<a href=\"\(s.path)\" aria-current=\"page\">\(s.label)</a>" : "<a href=\"\(s.path)\">\(s.label)</a>"
            }
            nav = """
            <nav aria-label="Sections">\(links)</nav>
            <form class="signout" method="post" action="/admin/sign-out/">\(csrfField(signedIn.csrfToken))\
            <span>\(signedIn.email)</span> <button type="submit">Sign out</button></form>
            """
        }
        let flash: Markup = notice.map { "<p class=\"notice\" role=\"status\">\($0)</p>" } ?? ""
        let page: Markup = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Tsuna administration</title>
        <link rel="stylesheet" href="\(PanelStylesheet.path)">
        </head><body>
        <header><a class="brand" href="/admin/">Tsuna <small>administration</small></a>\(nav)</header>
        <main><h1>\(title)</h1>\(flash)\(body)</main>
        </body></html>
        """
        return page.html
    }

    /// The hidden field carrying the CSRF token in every form.
    static func csrfField(_ token: String) -> Markup {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(token)\">"
    }

    static func response(_ status: Int, _ html: String) -> Response {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/html; charset=utf-8")
        return Response(status: status, headers: headers, body: .bytes(Array(html.utf8)))
    }

    /// 303 See Other: after a POST the browser loads the page with GET (a reload never repeats the action).
    static func redirect(_ location: String) -> Response {
        var headers = HTTPHeaders()
        headers.add("Location", location)
        return Response(status: 303, headers: headers, body: .empty)
    }
}
