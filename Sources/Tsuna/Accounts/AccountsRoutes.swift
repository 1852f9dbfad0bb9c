import HTTP
import JSON
import Security
import Store

/// `/accounts/v1/`: registration, verification, tokens and profiles (SPEC section 2). Each route states who
/// may call it, what its path names and what body it reads; the handlers live beside, one file per concern.
struct AccountsRoutes: Sendable {
    let services: Services

    static let defaultBio = "Hey there, i am using tsuna streaming."

    func register(on api: API) {
        let tags = ["accounts"]
        let imageLimit = services.configuration.imageLimitMB
        let picture = AccountFields.picture(imageLimit)
        typealias F = AccountFields
        let throttle = Throttle.perClient(services.authThrottle)
        api.open("POST", "/accounts/v1/register/", .anonymousOnly,
                 body: .files(maxFileMB: imageLimit, [F.email, F.password, F.firstName, F.lastName, F.bio, picture]),
                 throttle: throttle,
                 answers: [.created(.registration, "The account, inactive until verified; a verification mail is queued."),
                           .refused(400, "An active account with email `x` already exists.",
                                    "A deactive account with email `x` already exists.", fields: true)],
                 summary: "Register an account (inactive until verified)", tags: tags, registerAccount)
        api.open("GET", "/accounts/v1/verify/:verification_token/:user_token/", .anonymousOnly, throttle: throttle,
                 answers: [Answer(status: 200, body: .jsonOrHTML(.detail), about: "“Account verified”"),
                           .refused(400, "User is already active.", AccountVerification.deactivated,
                                    "Token and user mismatch.", "Token is expired.")],
                 summary: "Verify an account from the emailed link", tags: tags, verify)
        api.open("POST", "/accounts/v1/resend/", .anonymousOnly, body: .fields(F.user), throttle: throttle,
                 answers: [.created(.resent, "A new verification mail is queued."),
                           .refused(400, AccountVerification.alreadyActive, AccountVerification.deactivated,
                                    AccountVerification.tokenExists, fields: true)],
                 summary: "Send a new verification email", tags: tags, resend)
        api.open("POST", "/accounts/v1/login/", .anonymousOnly, body: .fields(F.loginEmail, F.loginPassword),
                 throttle: throttle,
                 answers: [.ok(.tokens, "A refresh and an access token."),
                           Answer(status: 401, body: .json(.unauthorized), about: "“\(AccountsRoutes.noAccount)”")],
                 summary: "Obtain access and refresh tokens", tags: tags, login)
        api.open("POST", "/accounts/v1/token/refresh/", .anyone, body: .fields(F.refresh),
                 answers: [.ok(.accessToken, "A new access token."),
                           Answer(status: 401, body: .json(.unauthorized), about: "“Token is invalid or expired” (code token_not_valid)")],
                 summary: "Exchange a refresh token for a new access token", tags: tags, refresh)
        api.route("POST", "/accounts/v1/logout/", body: .fields(F.logoutRefresh, F.all),
                  answers: [.deleted("The tokens are rejected from now on."),
                            .refused(400, "Token is invalid or expired", fields: true)],
                  summary: "Reject the given refresh token and the current access token ({\"all\": true}: every token)",
                  tags: tags, logout)
        api.route("POST", "/accounts/v1/password/change/", body: .fields(F.currentPassword, F.newPassword),
                  throttle: throttle,
                  answers: [.ok(.tokens, "Fresh tokens; every earlier token is rejected from now on."),
                            .refused(400, AccountsRoutes.wrongPassword, fields: true)],
                  summary: "Change the password; answers fresh tokens, rejects every earlier one", tags: tags, changePassword)
        api.open("POST", "/accounts/v1/password/reset/", .anonymousOnly, body: .fields(F.resetEmail), throttle: throttle,
                 answers: [Answer(status: 202, body: .json(.detail), about: "“\(AccountsRoutes.resetAccepted)”")],
                 summary: "Mail a password reset link (the same answer whether the address exists or not)", tags: tags,
                 requestReset)
        api.open("GET", "/accounts/v1/password/reset/:reset_token/", .anonymousOnly, throttle: throttle,
                 answers: [Answer(status: 200, body: .jsonOrHTML(.detail), about: "“Token is valid.” (a browser gets a form)"),
                           Answer(status: 400, body: .jsonOrHTML(.detail), about: "“\(AccountsRoutes.resetInvalid)”")],
                 summary: "Whether a reset token is valid (a browser gets a form)", tags: tags, checkReset)
        api.open("POST", "/accounts/v1/password/reset/:reset_token/", .anonymousOnly, body: .fields(F.newPassword),
                 throttle: throttle,
                 answers: [Answer(status: 200, body: .jsonOrHTML(.detail), about: "“Password has been reset.”"),
                           .refused(400, AccountsRoutes.resetInvalid)],
                 summary: "Set a new password with a reset token (usable once)", tags: tags, confirmReset)
        api.route("DELETE", "/accounts/v1/me/", body: .fields(F.confirmPassword), throttle: throttle,
                  answers: [.deleted("The account and everything it owns are deleted."),
                            .refused(400, AccountsRoutes.wrongPassword, fields: true)],
                  summary: "Delete the caller's account and everything it owns (password required)", tags: tags,
                  deleteAccount)
        api.route("GET", "/accounts/v1/me/", answers: [.ok(.profile, "The caller's profile, with its email.")],
                  summary: "The caller's own profile", tags: tags) { ctx in
            try ProfileJSON.response(200, ctx.services.users.user(token: ctx.caller.token), viewer: ctx.caller, ctx.services)
        }
        api.route("GET", "/accounts/v1/:user_token/", .profile,
                  answers: [.ok(.profile, "The profile; `email` only for its owner and site administrators.")],
                  summary: "A user's profile", tags: tags) { ctx in
            ProfileJSON.response(200, ctx.scope.entry, viewer: ctx.caller, ctx.services)
        }
        for method in ["PUT", "PATCH"] {
            api.route(method, "/accounts/v1/:user_token/", .profile, .profileOwner,
                      body: .files(maxFileMB: imageLimit, [F.firstName, F.lastName, F.profileBio, picture]),
                      answers: [.ok(.profile, "The updated profile.")],
                      summary: method == "PUT" ? "Replace the caller's profile" : "Update part of the caller's profile",
                      tags: tags) { try await updateProfile($0, partial: method == "PATCH") }
        }
    }
}

/// The fields the account routes read: the validator's limits and the document's are these.
enum AccountFields {
    static let email = BodyField.email("email", maxLength: 200)
    static let password = BodyField.newPassword("password")
    static let firstName = BodyField.text("first_name", maxLength: 50, required: true)
    static let lastName = BodyField.text("last_name", maxLength: 50, blank: true, default: "")
    static let bio = BodyField.text("bio", maxLength: 250, blank: true, default: AccountsRoutes.defaultBio)
    static let profileBio = BodyField.text("bio", maxLength: 250, blank: true)
    static func picture(_ limitMB: Int) -> BodyField { .image("picture", limitMB: limitMB) }
    static let user = BodyField.token("user", about: "The token of the unverified user.")
    static let loginEmail = BodyField.text("email", required: true)
    static let loginPassword = BodyField.text("password", required: true)
    static let refresh = BodyField.text("refresh", required: true, about: "A refresh token.")
    static let logoutRefresh = BodyField.text("refresh", about: "A refresh token of the caller's to reject too.")
    static let all = BodyField.boolean("all", default: false, about: "true: reject every token of the caller.")
    static let currentPassword = BodyField.text("current_password", required: true)
    static let newPassword = BodyField.newPassword("new_password")
    static let resetEmail = BodyField.email("email", maxLength: 200)
    static let confirmPassword = BodyField.text("password", required: true, about: "The caller's password.")
}
