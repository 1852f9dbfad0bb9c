import XCTest
import Foundation
import TestSupport

/// Tsuna behind Debian's nginx with the site configuration the README shows (its one ```nginx block, TLS
/// left out: plain HTTP on loopback): a 50 MB upload and Range reads pass through, and the client address the
/// server logs and throttles by is the one nginx forwards — only when nginx is a trusted proxy (SPEC 12).
final class NginxProxyTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func testUploadsRangesAndClientAddressesThroughNginx() throws {
        guard let nginxPath = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("nginx is not installed (.ci/run installs it)")
        }
        let site = try Self.readmeSite()

        // Three sign-in attempts a minute per client: the fixture's own register, verify and login use those of 127.0.0.1.
        let f = try ContentFixture(environment: ["TSUNA_TRUSTED_PROXIES": "127.0.0.1", "TSUNA_THROTTLE_AUTH": "3/minute"])
        let proxy = try NginxProxy(nginx: nginxPath, site: site, upstreamPort: f.server.port)
        defer { proxy.stop() }
        // Clients on other loopback addresses, so nginx (127.0.0.1) and they can be told apart.
        let client = try RawClient(port: proxy.port, from: "127.0.0.2", timeout: 60)

        // A 50 MB video upload, streamed through nginx.
        let block = (0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        var video = ContentFixture.mp4
        video.reserveCapacity(50 * 1_048_576)
        while video.count < 50 * 1_048_576 { video += block.prefix(50 * 1_048_576 - video.count) }
        for i in 1..<50 { video[i * 1_048_576] = UInt8(i) }   // no two megabytes alike
        let (type, body) = ContentFixture.multipart(["title": "Big", "description": "Fifty", "visibility": "pu"],
                                                    files: [("file", "big.mp4", video)])
        let upload = try client.request("POST", "/videos/v1/\(f.channel)/", headers: [
            "Authorization": "Bearer \(f.owner.access)", "Content-Type": type, "X-Forwarded-For": "203.0.113.66"], body: body)
        XCTAssertEqual(upload.status, 201, upload.text)
        let path = try XCTUnwrap(URL(string: upload.object["file"] as? String ?? "")?.path)

        // Media through nginx: whole, a range, a suffix range.
        XCTAssertEqual(try client.request("GET", path).body, video)
        let range = try client.request("GET", path, headers: ["Range": "bytes=1000-1999"])
        XCTAssertEqual(range.status, 206)
        XCTAssertEqual(range.header("Content-Range"), "bytes 1000-1999/\(video.count)")
        XCTAssertEqual(range.body, Array(video[1000...1999]))
        let tail = try client.request("GET", path, headers: ["Range": "bytes=-100"])
        XCTAssertEqual(tail.status, 206)
        XCTAssertEqual(tail.body, Array(video.suffix(100)))

        // Neither the upload nor the video went through nginx's temporary files (it warns when they do).
        XCTAssertFalse(proxy.errorLog.contains("buffered to a temporary file"), proxy.errorLog)

        // The server logs the address nginx forwarded, not nginx's, nor what the client claimed.
        XCTAssertTrue(eventually { logLine(f.server.log, "POST /videos/v1/")?.contains(" 127.0.0.2 ") == true },
                      logLine(f.server.log, "POST /videos/v1/") ?? f.server.log)
        XCTAssertFalse(logLine(f.server.log, "POST /videos/v1/")?.contains("203.0.113.66") ?? true)
        // …and throttles by it: one bucket per client behind the same proxy.
        func login(from source: String) throws -> Int {
            try RawClient(port: proxy.port, from: source).json("POST", "/accounts/v1/login/",
                                                                ["email": "x@example.com", "password": "wrong-password"]).status
        }
        for _ in 0..<3 { XCTAssertEqual(try login(from: "127.0.0.2"), 401) }
        XCTAssertEqual(try login(from: "127.0.0.2"), 429, "the same client is throttled")
        XCTAssertEqual(try login(from: "127.0.0.4"), 401, "another client has its own bucket")
        // /metrics stays on the machine: not through nginx, still directly.
        XCTAssertEqual(try client.request("GET", "/metrics").status, 404)
        XCTAssertEqual(try client.request("GET", "/metrics/").status, 404)
        XCTAssertEqual(try f.c.request("GET", "/metrics").status, 200)

        // Without TSUNA_TRUSTED_PROXIES the header is ignored: every client is nginx's address.
        let plain = try TestServer(environment: ["TSUNA_THROTTLE_AUTH": "3/minute"])
        let plainProxy = try NginxProxy(nginx: nginxPath, site: site, upstreamPort: plain.port)
        defer { plainProxy.stop() }
        func plainLogin(from source: String) throws -> Int {
            try RawClient(port: plainProxy.port, from: source).json("POST", "/accounts/v1/login/",
                                                                     ["email": "x@example.com", "password": "wrong-password"]).status
        }
        for _ in 0..<3 { XCTAssertEqual(try plainLogin(from: "127.0.0.2"), 401) }
        XCTAssertEqual(try plainLogin(from: "127.0.0.4"), 429, "all clients share nginx's bucket")
        XCTAssertTrue(eventually { logLine(plain.log, "POST /accounts/v1/login/")?.contains(" 127.0.0.1 ") == true }, plain.log)
        XCTAssertFalse(plain.log.contains(" 127.0.0.2 "))
    }

    /// The README's nginx site: the text between its "```nginx" line and the closing fence.
    static func readmeSite() throws -> String {
        let readme = try String(contentsOfFile: repository + "/README.md", encoding: .utf8)
        guard let start = readme.range(of: "```nginx\n"),
              let end = readme.range(of: "\n```", range: start.upperBound..<readme.endIndex) else {
            throw TestFailure("README.md has no ```nginx block")
        }
        return String(readme[start.upperBound..<end.lowerBound])
    }

    func logLine(_ log: String, _ containing: String) -> String? {
        log.split(separator: "\n").first { $0.contains(containing) }.map(String.init)
    }
}

/// nginx run from a scratch folder with the shipped site, minus TLS: listening on a free loopback port and
/// proxying to `upstreamPort`.
final class NginxProxy {
    let folder: TemporaryDirectory
    let port: Int
    private let process = Process()

    init(nginx: String, site: String, upstreamPort: Int) throws {
        folder = try TemporaryDirectory(prefix: "nginx")
        port = try NginxProxy.freePort()
        var lines: [String] = []
        for line in site.components(separatedBy: "\n") {
            if line.hasPrefix("# Plain HTTP") { break }   // the redirect server needs port 80
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("listen") || trimmed.hasPrefix("ssl_") { continue }
            lines.append(line.replacingOccurrences(of: "server 127.0.0.1:8000;", with: "server 127.0.0.1:\(upstreamPort);"))
            if trimmed.hasPrefix("server_name") { lines.append("    listen 127.0.0.1:\(port);") }
        }
        let dir = folder.path
        let conf = """
        worker_processes 1;
        daemon off;
        pid \(dir)/nginx.pid;
        error_log \(dir)/error.log warn;
        events { worker_connections 256; }
        http {
            access_log \(dir)/access.log;
            client_body_temp_path \(dir)/body;
            proxy_temp_path \(dir)/proxy;
            fastcgi_temp_path \(dir)/fastcgi;
            uwsgi_temp_path \(dir)/uwsgi;
            scgi_temp_path \(dir)/scgi;
        \(lines.joined(separator: "\n"))
        }
        """
        try conf.write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-c", dir + "/nginx.conf", "-p", dir, "-e", dir + "/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let up = eventually(timeout: 10) { (try? RawClient(port: port, timeout: 1).request("GET", "/healthz").status) == 200 }
        guard up else {
            stop()
            throw TestFailure("nginx did not start: \((try? String(contentsOfFile: dir + "/error.log", encoding: .utf8)) ?? "")\n\(conf)")
        }
    }

    var errorLog: String { (try? String(contentsOfFile: folder.file("error.log"), encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        folder.remove()
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw TestFailure("no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
