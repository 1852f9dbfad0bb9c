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
        let images = BodySpec.files(maxFileMB: services.configuration.imageLimitMB)
        let throttle = Throttle.perClient(services.authThrottle)
        api.open("POST", "/accounts/v1/register/", .anonymousOnly, body: images, throttle: throttle,
                 summary: "Register an account (inactive until verified)", tags: tags, registerAccount)
        api.open("GET", "/accounts/v1/verify/:verification_token/:user_token/", .anonymousOnly, throttle: throttle,
                 summary: "Verify an account from the emailed link", tags: tags, verify)
        api.open("POST", "/accounts/v1/resend/", .anonymousOnly, body: .fields, throttle: throttle,
                 summary: "Send a new verification email", tags: tags, resend)
        api.open("POST", "/accounts/v1/login/", .anonymousOnly, body: .fields, throttle: throttle,
                 summary: "Obtain access and refresh tokens", tags: tags, login)
        api.open("POST", "/accounts/v1/token/refresh/", .anyone, body: .fields,
                 summary: "Exchange a refresh token for a new access token", tags: tags, refresh)
        api.route("POST", "/accounts/v1/logout/", body: .fields,
                  summary: "Reject the given refresh token and the current access token ({\"all\": true}: every token)",
                  tags: tags, logout)
        api.route("POST", "/accounts/v1/password/change/", body: .fields, throttle: throttle,
                  summary: "Change the password; answers fresh tokens, rejects every earlier one", tags: tags, changePassword)
        api.open("POST", "/accounts/v1/password/reset/", .anonymousOnly, body: .fields, throttle: throttle,
                 summary: "Mail a password reset link (the same answer whether the address exists or not)", tags: tags,
                 requestReset)
        api.open("GET", "/accounts/v1/password/reset/:reset_token/", .anonymousOnly, throttle: throttle,
                 summary: "Whether a reset token is valid (a browser gets a form)", tags: tags, checkReset)
        api.open("POST", "/accounts/v1/password/reset/:reset_token/", .anonymousOnly, body: .fields, throttle: throttle,
                 summary: "Set a new password with a reset token (usable once)", tags: tags, confirmReset)
        api.route("DELETE", "/accounts/v1/me/", body: .fields, throttle: throttle,
                  summary: "Delete the caller's account and everything it owns (password required)", tags: tags,
                  deleteAccount)
        api.route("GET", "/accounts/v1/me/", summary: "The caller's own profile", tags: tags) { ctx in
            try ProfileJSON.response(200, ctx.services.users.user(token: ctx.caller.token), viewer: ctx.caller, ctx.services)
        }
        api.route("GET", "/accounts/v1/:user_token/", .profile, summary: "A user's profile", tags: tags) { ctx in
            ProfileJSON.response(200, ctx.scope.entry, viewer: ctx.caller, ctx.services)
        }
        for method in ["PUT", "PATCH"] {
            api.route(method, "/accounts/v1/:user_token/", .profile, .profileOwner, body: images,
                      summary: method == "PUT" ? "Replace the caller's profile" : "Update part of the caller's profile",
                      tags: tags) { try await updateProfile($0, partial: method == "PATCH") }
        }
    }
}
