/// UUID-shaped path tokens: anything else is a 404 without touching the database.
enum TokenFormat {
    static func isUUID(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) {
                return false
            }
        }
        return true
    }

    /// The canonical lowercase form stored in the database.
    static func normalized(_ s: String) -> String? {
        isUUID(s) ? s.lowercased() : nil
    }
}
