import Mail
import Store
import WriteBehind

/// The database schema, as ordered migrations. Append new versions; never edit a released one.
/// Dates are INTEGER microseconds since the Unix epoch (UTC); booleans are 0/1; `token` columns hold
/// the public UUIDs, integer ids never leave the database.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            email TEXT NOT NULL,
            password TEXT NOT NULL,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL DEFAULT '',
            bio TEXT NOT NULL DEFAULT 'Hey there, i am using tsuna streaming.',
            picture TEXT,
            is_active INTEGER NOT NULL DEFAULT 0,
            is_admin INTEGER NOT NULL DEFAULT 0,
            date_joined INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX users_email ON users(email COLLATE NOCASE);
        CREATE INDEX users_inactive ON users(date_joined) WHERE is_active = 0;

        CREATE TABLE verification_tokens (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX verification_tokens_user ON verification_tokens(user_id);
        CREATE INDEX verification_tokens_expiry ON verification_tokens(expires_at);

        CREATE TABLE memberships (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            price INTEGER NOT NULL,
            active_months INTEGER NOT NULL,
            is_available INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL
        );

        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            user_id INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
            membership_id INTEGER NOT NULL REFERENCES memberships(id) ON DELETE RESTRICT,
            start_date INTEGER NOT NULL,
            end_date INTEGER NOT NULL
        );
        CREATE INDEX subscriptions_end ON subscriptions(end_date);
        CREATE INDEX subscriptions_membership ON subscriptions(membership_id);

        CREATE TABLE channels (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            avatar TEXT,
            thumbnail TEXT,
            is_verified INTEGER NOT NULL DEFAULT 0,
            date_created INTEGER NOT NULL
        );
        CREATE INDEX channels_owner ON channels(owner_id);
        CREATE INDEX channels_title ON channels(title);

        CREATE TABLE channel_subscribers (
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            date INTEGER NOT NULL,
            PRIMARY KEY (channel_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX channel_subscribers_user ON channel_subscribers(user_id);

        CREATE TABLE channel_admins (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            promoted_by_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            date INTEGER NOT NULL,
            can_add_object INTEGER NOT NULL DEFAULT 0,
            can_edit_object INTEGER NOT NULL DEFAULT 0,
            can_delete_object INTEGER NOT NULL DEFAULT 0,
            can_publish_object INTEGER NOT NULL DEFAULT 0,
            can_change_channel_info INTEGER NOT NULL DEFAULT 0,
            UNIQUE (channel_id, user_id)
        );
        CREATE INDEX channel_admins_user ON channel_admins(user_id);

        CREATE TABLE contents (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            file TEXT NOT NULL,
            thumbnail TEXT,
            visibility TEXT NOT NULL DEFAULT 'pr' CHECK (visibility IN ('pr', 'pu')),
            allow_comment INTEGER NOT NULL DEFAULT 1,
            is_updated INTEGER NOT NULL DEFAULT 0,
            date INTEGER NOT NULL
        );
        CREATE INDEX contents_channel ON contents(channel_id, kind, date);

        CREATE TABLE votes (
            content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            choice TEXT NOT NULL CHECK (choice IN ('u', 'd')),
            date INTEGER NOT NULL,
            PRIMARY KEY (content_id, user_id)
        ) WITHOUT ROWID;

        CREATE TABLE viewers (
            content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            date INTEGER NOT NULL,
            PRIMARY KEY (content_id, user_id)
        ) WITHOUT ROWID;

        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,
            body TEXT NOT NULL,
            date INTEGER NOT NULL,
            edited INTEGER NOT NULL DEFAULT 0,
            pinned INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX comments_content ON comments(content_id, parent_id, pinned, date);
        CREATE INDEX comments_parent ON comments(parent_id);

        \(Outbox.schemaSQL)

        \(WriteBehindSchema.schemaSQL)
        """),
        Migration(version: 2, name: "account lifecycle and administration panel", sql: """
        -- A per-user token generation: every JWT carries the generation it was issued under; a password change,
        -- a reset, a logout of all sessions or a deactivation bumps it, rejecting every earlier token.
        ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;

        -- Token ids (jti) rejected before they expire (a plain logout); pruned once expired.
        CREATE TABLE revoked_tokens (
            jti TEXT PRIMARY KEY,
            expires_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX revoked_tokens_expiry ON revoked_tokens(expires_at);

        -- At most one live reset token per user: a new request replaces the previous one.
        CREATE TABLE password_resets (
            token TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX password_resets_expiry ON password_resets(expires_at);

        -- Signed-in sessions of the administration panel (the cookie holds the id; only its hash is stored).
        CREATE TABLE admin_sessions (
            id_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            last_seen INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX admin_sessions_user ON admin_sessions(user_id);
        CREATE INDEX admin_sessions_seen ON admin_sessions(last_seen);

        -- Every action taken in the panel, newest first by id.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            actor_email TEXT NOT NULL,
            action TEXT NOT NULL,
            object_type TEXT NOT NULL,
            object_token TEXT,
            object_label TEXT NOT NULL DEFAULT '',
            date INTEGER NOT NULL
        );
        """),
        Migration(version: 3, name: "lists in index order, counts kept", sql: """
        -- Every list reads its page in the order of an index, so page 1 costs O(limit) and a page reached by
        -- position (the `cursor` of next/previous links) too, however many rows the owner has.
        CREATE INDEX channel_subscribers_by_date ON channel_subscribers(channel_id, date, user_id);
        CREATE INDEX votes_by_date ON votes(content_id, date, user_id);
        CREATE INDEX viewers_by_date ON viewers(content_id, date, user_id);
        CREATE INDEX channel_admins_by_date ON channel_admins(channel_id, date, id);
        DROP INDEX channel_admins_user;
        CREATE INDEX channel_admins_of_user ON channel_admins(user_id, channel_id);
        DROP INDEX contents_channel;
        CREATE INDEX contents_by_date ON contents(channel_id, kind, date, id);
        CREATE INDEX contents_by_visibility ON contents(channel_id, kind, visibility, date, id);
        CREATE INDEX contents_by_title ON contents(channel_id, kind, title, date, id);
        DROP INDEX comments_content;
        CREATE INDEX comments_by_pin ON comments(content_id, parent_id, pinned, date, id);
        DROP INDEX comments_parent;
        CREATE INDEX comments_replies ON comments(parent_id, date, id);

        -- Counts kept by triggers in the same transaction as the rows, never counted per request.
        CREATE TABLE content_counts (
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            kind INTEGER NOT NULL,
            total INTEGER NOT NULL DEFAULT 0,
            published INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (channel_id, kind)
        ) WITHOUT ROWID;
        INSERT INTO content_counts (channel_id, kind, total, published)
            SELECT channel_id, kind, count(*), sum(visibility = 'pu') FROM contents GROUP BY channel_id, kind;
        CREATE TRIGGER contents_counted AFTER INSERT ON contents BEGIN
            INSERT INTO content_counts (channel_id, kind, total, published)
                VALUES (NEW.channel_id, NEW.kind, 1, NEW.visibility = 'pu')
                ON CONFLICT (channel_id, kind) DO UPDATE SET total = total + 1, published = published + (NEW.visibility = 'pu');
        END;
        CREATE TRIGGER contents_uncounted AFTER DELETE ON contents BEGIN
            UPDATE content_counts SET total = total - 1, published = published - (OLD.visibility = 'pu')
                WHERE channel_id = OLD.channel_id AND kind = OLD.kind;
        END;
        CREATE TRIGGER contents_recounted AFTER UPDATE OF visibility ON contents WHEN OLD.visibility <> NEW.visibility BEGIN
            UPDATE content_counts SET published = published + (NEW.visibility = 'pu') - (OLD.visibility = 'pu')
                WHERE channel_id = NEW.channel_id AND kind = NEW.kind;
        END;

        ALTER TABLE comments ADD COLUMN replies_count INTEGER NOT NULL DEFAULT 0;
        UPDATE comments SET replies_count = (SELECT count(*) FROM comments r WHERE r.parent_id = comments.id)
            WHERE parent_id IS NULL;
        CREATE TABLE comment_counts (
            content_id INTEGER PRIMARY KEY REFERENCES contents(id) ON DELETE CASCADE,
            top_level INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO comment_counts (content_id, top_level)
            SELECT content_id, count(*) FROM comments WHERE parent_id IS NULL GROUP BY content_id;
        CREATE TRIGGER comments_counted AFTER INSERT ON comments BEGIN
            INSERT INTO comment_counts (content_id, top_level) VALUES (NEW.content_id, NEW.parent_id IS NULL)
                ON CONFLICT (content_id) DO UPDATE SET top_level = top_level + (NEW.parent_id IS NULL);
            UPDATE comments SET replies_count = replies_count + 1 WHERE id = NEW.parent_id;
        END;
        CREATE TRIGGER comments_uncounted AFTER DELETE ON comments BEGIN
            UPDATE comment_counts SET top_level = top_level - (OLD.parent_id IS NULL) WHERE content_id = OLD.content_id;
            UPDATE comments SET replies_count = replies_count - 1 WHERE id = OLD.parent_id;
        END;
        """),
        Migration(version: 4, name: "ids of users, channels and contents never reused", sql: """
        -- The write-behind caches key entries by these ids; an id reused after a deletion could give a write
        -- still in flight for the deleted row to a new one. AUTOINCREMENT never hands out an id twice.
        CREATE TABLE users_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            token TEXT NOT NULL UNIQUE,
            email TEXT NOT NULL,
            password TEXT NOT NULL,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL DEFAULT '',
            bio TEXT NOT NULL DEFAULT 'Hey there, i am using tsuna streaming.',
            picture TEXT,
            is_active INTEGER NOT NULL DEFAULT 0,
            is_admin INTEGER NOT NULL DEFAULT 0,
            date_joined INTEGER NOT NULL,
            token_generation INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO users_new (id, token, email, password, first_name, last_name, bio, picture, is_active, is_admin,
                               date_joined, token_generation)
            SELECT id, token, email, password, first_name, last_name, bio, picture, is_active, is_admin, date_joined,
                   token_generation FROM users;
        DROP TABLE users;
        ALTER TABLE users_new RENAME TO users;
        CREATE UNIQUE INDEX users_email ON users(email COLLATE NOCASE);
        CREATE INDEX users_inactive ON users(date_joined) WHERE is_active = 0;

        CREATE TABLE channels_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            token TEXT NOT NULL UNIQUE,
            owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            avatar TEXT,
            thumbnail TEXT,
            is_verified INTEGER NOT NULL DEFAULT 0,
            date_created INTEGER NOT NULL
        );
        INSERT INTO channels_new SELECT id, token, owner_id, title, description, avatar, thumbnail, is_verified, date_created
            FROM channels;
        DROP TABLE channels;
        ALTER TABLE channels_new RENAME TO channels;
        CREATE INDEX channels_owner ON channels(owner_id);
        CREATE INDEX channels_title ON channels(title);

        CREATE TABLE contents_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            token TEXT NOT NULL UNIQUE,
            kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            file TEXT NOT NULL,
            thumbnail TEXT,
            visibility TEXT NOT NULL DEFAULT 'pr' CHECK (visibility IN ('pr', 'pu')),
            allow_comment INTEGER NOT NULL DEFAULT 1,
            is_updated INTEGER NOT NULL DEFAULT 0,
            date INTEGER NOT NULL
        );
        INSERT INTO contents_new SELECT id, token, kind, channel_id, user_id, title, description, file, thumbnail, visibility,
            allow_comment, is_updated, date FROM contents;
        DROP TABLE contents;
        ALTER TABLE contents_new RENAME TO contents;
        CREATE INDEX contents_by_date ON contents(channel_id, kind, date, id);
        CREATE INDEX contents_by_visibility ON contents(channel_id, kind, visibility, date, id);
        CREATE INDEX contents_by_title ON contents(channel_id, kind, title, date, id);
        CREATE INDEX contents_user ON contents(user_id);
        -- Deleting an account cascades through every table that references the user: each needs an index on
        -- its user column, or the deletion scans the whole table once per reference.
        CREATE INDEX votes_user ON votes(user_id);
        CREATE INDEX viewers_user ON viewers(user_id);
        CREATE INDEX comments_user ON comments(user_id);
        CREATE INDEX channel_admins_promoted_by ON channel_admins(promoted_by_id);
        CREATE INDEX audit_log_actor ON audit_log(actor_id);
        CREATE TRIGGER contents_counted AFTER INSERT ON contents BEGIN
            INSERT INTO content_counts (channel_id, kind, total, published)
                VALUES (NEW.channel_id, NEW.kind, 1, NEW.visibility = 'pu')
                ON CONFLICT (channel_id, kind) DO UPDATE SET total = total + 1, published = published + (NEW.visibility = 'pu');
        END;
        CREATE TRIGGER contents_uncounted AFTER DELETE ON contents BEGIN
            UPDATE content_counts SET total = total - 1, published = published - (OLD.visibility = 'pu')
                WHERE channel_id = OLD.channel_id AND kind = OLD.kind;
        END;
        CREATE TRIGGER contents_recounted AFTER UPDATE OF visibility ON contents WHEN OLD.visibility <> NEW.visibility BEGIN
            UPDATE content_counts SET published = published + (NEW.visibility = 'pu') - (OLD.visibility = 'pu')
                WHERE channel_id = NEW.channel_id AND kind = NEW.kind;
        END;
        """, rebuildsTables: true),
        Migration(version: 5, name: "administration panel lists and searches", sql: """
        -- An account an administrator deactivated (not the same as one never verified: it may not reactivate itself
        -- through a verification link, and the cleanup of unverified accounts leaves it alone).
        ALTER TABLE users ADD COLUMN is_deactivated INTEGER NOT NULL DEFAULT 0;
        -- Each list of the panel walks an index in the order it shows (no scan or sort of a large set per page).
        -- Users by "first last" name, any case (name search).
        CREATE INDEX users_name ON users((first_name || ' ' || last_name) COLLATE NOCASE);
        -- Administrators, for counting them (and never removing the last one); deactivated accounts, for counting them.
        CREATE INDEX users_admins ON users(id) WHERE is_admin = 1;
        CREATE INDEX users_deactivated ON users(id) WHERE is_deactivated = 1;
        -- Channel and item titles, any case (title search).
        CREATE INDEX channels_title_nocase ON channels(title COLLATE NOCASE);
        CREATE INDEX contents_title ON contents(title COLLATE NOCASE);
        -- Videos or musics alone, newest first (id order within a kind).
        CREATE INDEX contents_kind ON contents(kind);
        -- Messages given up on.
        \(Outbox.failedIndexSQL)

        -- Comment text search: a full-text index over comments.body, kept in step by triggers (deletes by cascade
        -- fire them too), filled once from the existing comments.
        CREATE VIRTUAL TABLE comments_search USING fts5(body, content='comments', content_rowid='id');
        CREATE TRIGGER comments_search_insert AFTER INSERT ON comments BEGIN
            INSERT INTO comments_search(rowid, body) VALUES (new.id, new.body);
        END;
        CREATE TRIGGER comments_search_delete AFTER DELETE ON comments BEGIN
            INSERT INTO comments_search(comments_search, rowid, body) VALUES ('delete', old.id, old.body);
        END;
        CREATE TRIGGER comments_search_update AFTER UPDATE OF body ON comments BEGIN
            INSERT INTO comments_search(comments_search, rowid, body) VALUES ('delete', old.id, old.body);
            INSERT INTO comments_search(rowid, body) VALUES (new.id, new.body);
        END;
        INSERT INTO comments_search(comments_search) VALUES ('rebuild');
        """),
    ]

    /// The newest schema version this binary knows.
    public static var latestVersion: Int { migrations.last?.version ?? 0 }
}
