import Store

/// Activating and deactivating accounts and granting site-administrator rights, as the administration panel
/// does it (SPEC section 13). Each change invalidates the cached user at once, so the next request sees it.
enum AccountAdministration {
    static let lastAdministrator = "The last administrator cannot lose administrator rights."
    static let administratorFirst = "Remove this user's administrator rights first."
    static let activeFirst = "Only active users can be administrators."

    static func activate(_ user: UserRecord, _ services: Services) async throws {
        try await services.store.write { try AccountsStore.activate(id: user.id, $0) }
        services.users.invalidate(token: user.token, id: user.id)
    }

    /// The user can no longer log in and every token they hold is refused from their next request on.
    /// Administrators are refused: removing their rights first keeps at least one administrator who can sign in.
    static func deactivate(_ user: UserRecord, _ services: Services) async throws {
        try await services.store.write { c in
            // Re-read under the write lock: the rights may have changed since the page was shown.
            guard let current = try AccountsStore.user(id: user.id, c), !current.isAdmin else {
                throw APIError.badRequest(administratorFirst)
            }
            try AccountsStore.deactivate(id: user.id, c)
        }
        services.users.invalidate(token: user.token, id: user.id)
    }

    static func makeAdmin(_ user: UserRecord, _ services: Services) async throws {
        try await services.store.write { c in
            guard let current = try AccountsStore.user(id: user.id, c), current.isActive else {
                throw APIError.badRequest(activeFirst)
            }
            try AccountsStore.setAdmin(id: user.id, true, c)
        }
        services.users.invalidate(token: user.token, id: user.id)
    }

    /// Never the last administrator who can sign in (checked in the same transaction as the change).
    static func removeAdmin(_ user: UserRecord, _ services: Services) async throws {
        try await services.store.write { c in
            guard let current = try AccountsStore.user(id: user.id, c), current.isAdmin else { return }
            if current.isActive, try AccountsStore.activeAdminCount(c) <= 1 { throw APIError.badRequest(lastAdministrator) }
            try AccountsStore.setAdmin(id: user.id, false, c)
        }
        services.users.invalidate(token: user.token, id: user.id)
    }

    /// Deletes the account as `DELETE me/` does; administrators are refused (their rights go first).
    static func delete(_ user: UserRecord, _ services: Services) async throws {
        if user.isAdmin { throw APIError.badRequest(administratorFirst) }
        try await AccountRemoval.delete(userId: user.id, userToken: user.token, picture: user.picture, services)
    }
}
