import FoundationEssentials
import Platform
import Security
import Store
#if canImport(Glibc)
import Glibc
#endif

/// `tsuna create-admin --email E`: an active site administrator, password from stdin. Works while the server
/// runs (it writes through SQLite's own locking; the server reads users fresh on every request).
enum CreateAdmin {
    static func run(_ args: [String], configuration: Configuration) -> Int32 {
        guard args.count == 2, args[0] == "--email" else {
            TsunaCommand.fail("usage: tsuna create-admin --email E   (password on stdin)")
            return 2
        }
        let email = args[1].trimmingWhitespace()
        guard Validator.isEmail(email), email.utf8.count <= 200 else {
            TsunaCommand.fail("\"\(email)\" is not a valid email address")
            return 1
        }
        guard let password = readPassword(), !password.isEmpty else {
            TsunaCommand.fail("no password given on stdin")
            return 1
        }
        guard password.count >= 8, !password.allSatisfy(\.isNumber) else {
            TsunaCommand.fail("the password must have at least 8 characters and not be entirely numeric")
            return 1
        }
        do {
            try DataDirectory.prepare(configuration)
            let store = try Store(path: configuration.databasePath, migrations: Schema.migrations, maxReaders: 1)
            defer { store.close() }
            let encoded = PasswordHasher(iterations: configuration.passwordIterations).hash(password)
            let token = SecureRandom.uuidV4()
            let created = try store.writeSync { c -> Bool in
                if try AccountsStore.user(email: email, c) != nil { return false }
                _ = try AccountsStore.insert(AccountsStore.NewUser(
                    email: email, password: encoded, firstName: "Admin", lastName: "", bio: AccountsRoutes.defaultBio,
                    picture: nil, isActive: true, isAdmin: true), now: Clock.nowMicros(), token: token, c)
                return true
            }
            guard created else {
                TsunaCommand.fail("an account with email \(email) already exists")
                return 1
            }
            print("created admin \(email) (token \(token))")
            return 0
        } catch {
            TsunaCommand.fail("\(error)")
            return 1
        }
    }

    /// One line from stdin; when stdin is a terminal, asks for it with echo turned off.
    private static func readPassword() -> String? {
        if isatty(0) == 1 {
            StandardStream.error("Password: ")
            var old = termios()
            tcgetattr(0, &old)
            var silent = old
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(0, TCSANOW, &silent)
            defer {
                tcsetattr(0, TCSANOW, &old)
                StandardStream.error("\n")
            }
            return readLine(strippingNewline: true)
        }
        return readLine(strippingNewline: true)
    }
}
