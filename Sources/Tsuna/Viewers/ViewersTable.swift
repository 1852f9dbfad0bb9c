/// A view of an item in the write-behind cache: owner = content id, user = user id, value = first view's date.
typealias View = Dated

extension DatedTable {
    /// `viewers` as the views cache reads and writes it.
    static let viewers = DatedTable(name: "viewers", table: "viewers", ownerColumn: "content_id",
                                    existingOwners: { try ContentsStore.existingIds($1, $0) })
}
