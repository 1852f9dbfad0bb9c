/// Turns a client-supplied file name into safe display text: a basename only, without NUL, control or
/// bidirectional-override characters, trimmed, at most `maxBytes` UTF-8 bytes (the extension is kept
/// when the name must be shortened). Returns "" when nothing usable remains.
enum FilenameSanitizer {
    static let maxBytes = 200
    /// An extension longer than this is not worth preserving when shortening.
    private static let maxKeptExtensionBytes = 16

    static func sanitize(_ raw: String) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            if scalar == "/" || scalar == "\\" {
                kept.removeAll(keepingCapacity: true)   // keep only what follows the last separator
                continue
            }
            if isUnwanted(scalar) { continue }
            kept.append(scalar)
        }
        var name = String(kept)
        name = trimSpaces(name)
        if name == "." || name == ".." { return "" }
        return shortened(name)
    }

    /// C0 and C1 controls, DEL, and the invisible characters that can disguise an extension.
    private static func isUnwanted(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200B...0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: return true
        default: return false
        }
    }

    private static func trimSpaces(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }

    private static func shortened(_ name: String) -> String {
        guard name.utf8.count > maxBytes else { return name }
        var suffix = ""
        if let dot = name.unicodeScalars.lastIndex(of: "."), dot != name.unicodeScalars.startIndex {
            let ext = String(name.unicodeScalars[dot...])
            if ext.utf8.count <= maxKeptExtensionBytes { suffix = ext }
        }
        let stemBudget = maxBytes - suffix.utf8.count
        var stem = String.UnicodeScalarView()
        var used = 0
        for scalar in name.unicodeScalars {
            let width = UTF8.width(scalar)
            if used + width > stemBudget { break }
            stem.append(scalar)
            used += width
        }
        return String(stem) + suffix
    }
}
