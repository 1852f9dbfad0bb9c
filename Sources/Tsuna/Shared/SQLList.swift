/// A list of ids bound as one argument: a JSON array that SQL reads with `json_each(?)`, so a statement keeps
/// one shape (and one cached prepared statement) whatever the number of ids.
enum SQLList {
    static func json(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }
}
