import HTTP

/// The community administration panel at `/admin/` (SPEC 13): server-rendered pages for site administrators,
/// with their own sign-in, sessions and CSRF tokens (see `Panel`). Each section registers its routes the way
/// the API's features do; every change goes through the same domain functions as the API's.
struct AdminPanel: Sendable {
    let services: Services

    func register(on router: Router) {
        let panel = Panel(router: router, services: services, sessions: AdminSessions(store: services.store))
        PanelStylesheet.register(on: panel)
        SignInPage.register(on: panel, dashboard: DashboardPage(services: services, media: services.mediaUsage))
        UsersPages(services: services).register(on: panel)
        MembershipsPages(services: services).register(on: panel)
        ChannelsPages(services: services).register(on: panel)
        ContentsPages(services: services).register(on: panel)
        CommentsPages(services: services).register(on: panel)
        MailPages(services: services).register(on: panel)
        AuditPage().register(on: panel)
        // Any other address under /admin/ is a page too, not the API's JSON 404.
        panel.plain("/admin/*path", "Unknown panel pages: a 404 page") { _ in throw PanelError.notFound }
    }
}
