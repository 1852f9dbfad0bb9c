/// A strict reader of Prometheus' text exposition format, for tests: it parses every line and reports what
/// breaks the format or the naming conventions.
public struct PrometheusText {
    public struct Sample {
        public let name: String
        public let labels: [String: String]
        public let value: Double
    }

    public private(set) var samples: [Sample] = []
    /// Family name → its TYPE.
    public private(set) var types: [String: String] = [:]
    public private(set) var helps: Set<String> = []
    /// Everything wrong with the text; empty when it is well formed.
    public private(set) var problems: [String] = []

    public init(_ text: String) {
        var seenFamilies: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { continue }
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                guard parts.count >= 3 else { problems.append("short comment: \(line)"); continue }
                if parts[1] == "HELP" {
                    if helps.contains(parts[2]) { problems.append("HELP twice for \(parts[2])") }
                    helps.insert(parts[2])
                } else {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        problems.append("bad TYPE: \(line)"); continue
                    }
                    if types[parts[2]] != nil { problems.append("TYPE twice for \(parts[2])") }
                    if parts[3] == "counter" && !parts[2].hasSuffix("_total") { problems.append("counter \(parts[2]) does not end in _total") }
                    types[parts[2]] = parts[3]
                    seenFamilies.append(parts[2])
                }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let sample = PrometheusText.parseSample(String(line)) else { problems.append("unparsable sample: \(line)"); continue }
            let family = PrometheusText.family(of: sample.name, types: types)
            if types[family] == nil || !helps.contains(family) { problems.append("\(sample.name) without HELP and TYPE before it") }
            if let last = seenFamilies.last, last != family { problems.append("\(sample.name) outside its family's block (after \(last))") }
            samples.append(sample)
        }
        checkHistograms()
    }

    public func values(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { k, v in sample.labels[k] == v } }?.value
    }

    /// `_bucket`/`_sum`/`_count` belong to their histogram's family.
    static func family(of name: String, types: [String: String]) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return name
    }

    /// Each histogram series: buckets cumulative, ending with le="+Inf" equal to _count.
    private mutating func checkHistograms() {
        for (family, type) in types where type == "histogram" {
            var series: [[String: String]: [(Double, Double)]] = [:]
            for s in values(family + "_bucket") {
                guard let le = s.labels["le"], let bound = le == "+Inf" ? Double.infinity : Double(le) else {
                    problems.append("\(family) bucket without a valid le"); continue
                }
                var key = s.labels
                key["le"] = nil
                series[key, default: []].append((bound, s.value))
            }
            if series.isEmpty { problems.append("\(family) has no buckets") }
            for (key, buckets) in series {
                let sorted = buckets.sorted { $0.0 < $1.0 }
                if sorted.last?.0 != .infinity { problems.append("\(family)\(key) has no +Inf bucket") }
                for i in sorted.indices.dropFirst() where sorted[i].1 < sorted[i - 1].1 {
                    problems.append("\(family)\(key) buckets are not cumulative")
                }
                let count = samples.first { $0.name == family + "_count" && $0.labels == key }?.value
                if count != sorted.last?.1 { problems.append("\(family)\(key): +Inf bucket \(sorted.last?.1 ?? -1) ≠ count \(count ?? -1)") }
                if !samples.contains(where: { $0.name == family + "_sum" && $0.labels == key }) { problems.append("\(family)\(key) has no _sum") }
            }
        }
    }

    /// `name{k="v",…} value`, with the escapes \\, \" and \n inside label values.
    static func parseSample(_ line: String) -> Sample? {
        let chars = Array(line.unicodeScalars)
        var i = 0
        func isNameChar(_ c: Unicode.Scalar, first: Bool) -> Bool {
            c == "_" || c == ":" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (!first && c >= "0" && c <= "9")
        }
        var name = ""
        while i < chars.count, isNameChar(chars[i], first: name.isEmpty) { name.unicodeScalars.append(chars[i]); i += 1 }
        guard !name.isEmpty else { return nil }
        var labels: [String: String] = [:]
        if i < chars.count && chars[i] == "{" {
            i += 1
            while i < chars.count && chars[i] != "}" {
                var key = ""
                while i < chars.count, isNameChar(chars[i], first: key.isEmpty) { key.unicodeScalars.append(chars[i]); i += 1 }
                guard !key.isEmpty, i + 1 < chars.count, chars[i] == "=", chars[i + 1] == "\"" else { return nil }
                i += 2
                var value = ""
                while i < chars.count && chars[i] != "\"" {
                    if chars[i] == "\\" {
                        guard i + 1 < chars.count else { return nil }
                        switch chars[i + 1] {
                        case "\\": value += "\\"
                        case "\"": value += "\""
                        case "n": value += "\n"
                        default: return nil
                        }
                        i += 2
                    } else {
                        value.unicodeScalars.append(chars[i])
                        i += 1
                    }
                }
                guard i < chars.count, labels[key] == nil else { return nil }
                labels[key] = value
                i += 1
                if i < chars.count && chars[i] == "," { i += 1 }
            }
            guard i < chars.count else { return nil }
            i += 1
        }
        guard i < chars.count, chars[i] == " " else { return nil }
        let rest = String(String.UnicodeScalarView(chars[(i + 1)...]))
        let number: Double?
        switch rest {
        case "+Inf": number = .infinity
        case "-Inf": number = -.infinity
        case "NaN": number = .nan
        default: number = Double(rest)
        }
        guard let value = number else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }
}
