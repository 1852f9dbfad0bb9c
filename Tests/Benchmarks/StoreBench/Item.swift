import Store

/// An 18-column record shaped like the application's content rows (ids, tokens, texts, a nullable text,
/// flags, a date).
struct Item {
    let id: Int64
    let token: String
    let kind: Int64
    let channelId: Int64
    let channelToken: String
    let channelTitle: String
    let ownerId: Int64
    let firstName: String
    let lastName: String
    let userToken: String?
    let title: String
    let description: String
    let file: String
    let thumbnail: String?
    let visibility: String
    let allowComment: Bool
    let isUpdated: Bool
    let date: Int64

    static let schema = """
        CREATE TABLE items (id INTEGER PRIMARY KEY, token TEXT NOT NULL, kind INTEGER NOT NULL,
            channel_id INTEGER NOT NULL, channel_token TEXT NOT NULL, channel_title TEXT NOT NULL,
            owner_id INTEGER NOT NULL, first_name TEXT NOT NULL, last_name TEXT NOT NULL, user_token TEXT,
            title TEXT NOT NULL, description TEXT NOT NULL, file TEXT NOT NULL, thumbnail TEXT,
            visibility TEXT NOT NULL, allow_comment INTEGER NOT NULL, is_updated INTEGER NOT NULL,
            date INTEGER NOT NULL);
        CREATE INDEX items_channel ON items(channel_id, id);
        """
    static let columns = """
        id, token, kind, channel_id, channel_token, channel_title, owner_id, first_name, last_name, user_token,
        title, description, file, thumbnail, visibility, allow_comment, is_updated, date
        """
    static let insertSQL = "INSERT INTO items (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    static func arguments(_ i: Int) -> [SQLValue] {
        let n = Int64(i)
        return [.integer(n), .text("3f1c2a9e-7b4d-4e8a-9c1f-\(String(format: "%012d", i))"), .integer(n % 2 + 1),
                .integer(n % 10), .text("channel-token-\(i % 10)"), .text("Channel number \(i % 10)"),
                .integer(n % 7), .text("Ada"), .text("Lovelace"), i % 3 == 0 ? .null : .text("user-token-\(i % 7)"),
                .text("A title for item \(i)"), .text("A longer description of item \(i), a few words more."),
                .text("video/\(i).mp4"), i % 2 == 0 ? .null : .text("thumbnail/\(i).jpg"), .text(i % 5 == 0 ? "pr" : "pu"),
                .integer(1), .integer(0), .integer(1_700_000_000_000_000 + n)]
    }

    /// Read by position: the SELECT's column order.
    init(positional r: Row) {
        id = r.int64(0); token = r.string(1); kind = r.int64(2); channelId = r.int64(3)
        channelToken = r.string(4); channelTitle = r.string(5); ownerId = r.int64(6)
        firstName = r.string(7); lastName = r.string(8); userToken = r.optionalString(9)
        title = r.string(10); description = r.string(11); file = r.string(12); thumbnail = r.optionalString(13)
        visibility = r.string(14); allowComment = r.bool(15); isUpdated = r.bool(16); date = r.int64(17)
    }

    /// Read by name.
    init(row r: Row) {
        id = r.int64("id"); token = r.string("token"); kind = r.int64("kind"); channelId = r.int64("channel_id")
        channelToken = r.string("channel_token"); channelTitle = r.string("channel_title"); ownerId = r.int64("owner_id")
        firstName = r.string("first_name"); lastName = r.string("last_name"); userToken = r.optionalString("user_token")
        title = r.string("title"); description = r.string("description"); file = r.string("file")
        thumbnail = r.optionalString("thumbnail"); visibility = r.string("visibility")
        allowComment = r.bool("allow_comment"); isUpdated = r.bool("is_updated"); date = r.int64("date")
    }
}

extension Item: RowDecodable {}
