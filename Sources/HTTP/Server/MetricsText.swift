/// Prometheus' text exposition format (version 0.0.4): every family with its `# HELP` and `# TYPE` lines,
/// then its samples; label values escaped (backslash, double quote, newline).
public struct MetricsText: Sendable {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    public private(set) var text = ""

    public init() {}

    /// Starts a family. Counters' names end in `_total` by convention; callers name them so.
    public mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        text += "# HELP \(name) \(MetricsText.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (i, (key, labelValue)) in labels.enumerated() {
                if i > 0 { text += "," }
                text += "\(key)=\"\(MetricsText.escapeLabel(labelValue))\""
            }
            text += "}"
        }
        text += " \(MetricsText.format(value))\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Int) {
        sample(name, labels, Double(value))
    }

    /// A whole single-sample family.
    public mutating func single(_ name: String, _ kind: Kind, _ help: String, _ labels: [(String, String)] = [], _ value: Double) {
        family(name, kind, help)
        sample(name, labels, value)
    }

    /// Integers without a fraction, others in Swift's shortest round-tripping form, infinities as Prometheus
    /// spells them.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    public static func escapeLabel(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) else { return value }
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func escapeHelp(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
