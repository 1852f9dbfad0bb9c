/// `TSUNA_*` variables this binary does not read: a typo (`TSUNA_PROT=9000`) would otherwise be silently
/// ignored and the server start with the default. Each gets a warning naming the closest known variable.
enum UnknownVariables {
    /// One warning per unknown variable, e.g. `TSUNA_PROT is not a Tsuna variable; did you mean TSUNA_PORT?`.
    static func warnings(_ environment: [String: String], known: [String] = Configuration.variables.map(\.name)) -> [String] {
        let knownSet = Set(known)
        return environment.keys.filter { $0.hasPrefix("TSUNA_") && !knownSet.contains($0) }.sorted().map { name in
            // A truncated or extended name (TSUNA_FLUSH_INTERVAL) is close whatever the edit distance.
            let closest = known.first { $0.hasPrefix(name) || name.hasPrefix($0) }
                ?? known.min { distance(name, $0) < distance(name, $1) }
            if let closest, closest.hasPrefix(name) || name.hasPrefix(closest) || distance(name, closest) <= max(3, closest.count / 4) {
                return "\(name) is not a Tsuna variable (ignored); did you mean \(closest)?"
            }
            return "\(name) is not a Tsuna variable (ignored); `tsuna help` lists them"
        }
    }

    /// Levenshtein distance over bytes (names are ASCII).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
