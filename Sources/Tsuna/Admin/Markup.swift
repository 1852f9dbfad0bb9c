import FoundationEssentials
import Platform

/// HTML being built for a panel page. The literal text of a `Markup` literal is the panel's own markup; every
/// `String` interpolated into it is escaped with `HTML.escape` (the one escaping function for everything users
/// wrote), so text cannot be inserted unescaped by mistake. Already-built `Markup` is inserted as it is.
struct Markup: ExpressibleByStringInterpolation, Sendable {
    private(set) var html: String

    init(stringLiteral value: String) { html = value }
    init(stringInterpolation: Interpolation) { html = stringInterpolation.html }
    private init(trusted: String) { html = trusted }

    static let empty = Markup("")

    /// Parts one after another.
    static func join(_ parts: [Markup], separator: Markup = "") -> Markup {
        Markup(trusted: parts.map(\.html).joined(separator: separator.html))
    }

    static func + (a: Markup, b: Markup) -> Markup { Markup(trusted: a.html + b.html) }

    struct Interpolation: StringInterpolationProtocol {
        var html = ""
        init(literalCapacity: Int, interpolationCount: Int) { html.reserveCapacity(literalCapacity + 32 * interpolationCount) }
        mutating func appendLiteral(_ literal: String) { html += literal }
        /// Text from anywhere (users, the database, the query string): escaped.
        mutating func appendInterpolation(_ text: String) { html += HTML.escape(text) }
        mutating func appendInterpolation(_ markup: Markup) { html += markup.html }
        mutating func appendInterpolation(_ parts: [Markup]) { for p in parts { html += p.html } }
        mutating func appendInterpolation(_ number: Int) { html += String(number) }
        mutating func appendInterpolation(_ number: Int64) { html += String(number) }
    }
}

/// Small building blocks of the panel's pages.
enum Tags {
    static func link(_ href: String, _ text: String) -> Markup { "<a href=\"\(href)\">\(text)</a>" }

    /// A UTC date, readable, with the exact instant in `datetime`.
    static func date(_ micros: Int64?) -> Markup {
        guard let micros else { return "–" }
        let exact = Clock.rfc3339(micros)
        let shown = String(exact.prefix(16)).replacing("T", with: " ") + " UTC"
        return "<time datetime=\"\(exact)\">\(shown)</time>"
    }

    /// A label with a colour class: "ok", "warn", "bad" or "muted".
    static func badge(_ text: String, _ tone: String) -> Markup { "<span class=\"badge \(tone)\">\(text)</span>" }

    /// At most `limit` characters of a text, with an ellipsis when cut.
    static func excerpt(_ text: String, _ limit: Int = 140) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    /// A table; an empty one says so instead.
    static func table(_ headers: [String], _ rows: [[Markup]], empty: String = "Nothing here.") -> Markup {
        if rows.isEmpty { return "<p class=\"empty\">\(empty)</p>" }
        let head = Markup.join(headers.map { "<th scope=\"col\">\($0)</th>" })
        // Each cell repeats its header for the narrow (phone) layout, which stacks cells.
        let body = Markup.join(rows.map { row in
            let cells = row.enumerated().map { i, cell -> Markup in
                "<td data-label=\"\(i < headers.count ? headers[i] : "")\">\(cell)</td>"
            }
            return "<tr>\(cells)</tr>"
        })
        return "<div class=\"table\"><table><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table></div>"
    }

    /// A definition list of facts about one object.
    static func facts(_ pairs: [(String, Markup)]) -> Markup {
        "<dl class=\"facts\">\(Markup.join(pairs.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }))</dl>"
    }

    /// A quiet paragraph (how a list is ordered, what a search matched).
    static func note(_ text: String) -> Markup { "<p class=\"muted\">\(text)</p>" }

    static func yesNo(_ value: Bool) -> Markup { value ? "yes" : "no" }

    /// Bytes in binary units.
    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : CFormat.fixed(value, digits: 1) + " " + units[unit]
    }

    /// A duration in seconds, human sized.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return CFormat.fixed(seconds * 1000, digits: 1) + " ms" }
        if seconds < 120 { return CFormat.fixed(seconds, digits: 1) + " s" }
        let s = Int(seconds)
        if s < 7200 { return "\(s / 60) min" }
        if s < 172_800 { return "\(s / 3600) h \(s % 3600 / 60) min" }
        return "\(s / 86400) d \(s % 86400 / 3600) h"
    }
}
