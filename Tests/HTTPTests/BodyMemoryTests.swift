import XCTest
import Foundation
@testable import HTTP
import TestSupport

/// Request bodies in memory are bounded in total across connections, and never sized by what a client
/// announces.
final class BodyMemoryTests: ServerTestCase {
    func residentBytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    func testManyPartialBodiesStayWithinTheBudget() throws {
        let received = Recorder<Int>()
        let server = try start({ $0.loopCount = 2; $0.bodyMemoryBudget = 4 << 20 }) { router in
            router.add("POST", "/upload", bodyLimit: 2 << 20) { request in
                let body = try await request.body()
                received.record(body.count)
                return Response(status: 200)
            }
        }
        let before = residentBytes()
        // 64 connections each announce 1 MB and send a tenth of it: 6.4 MB of bodies in flight.
        let chunk = [UInt8](repeating: 7, count: 100_000)
        var clients: [RawClient] = []
        for _ in 0..<64 {
            let c = try client()
            try c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
            try c.send(chunk)
            clients.append(c)
        }
        let deadline = Date().addingTimeInterval(10)
        while server.bodyMemory.inUse + spilledBytes() < 6_400_000 && Date() < deadline { usleep(20_000) }
        XCTAssertLessThanOrEqual(server.bodyMemory.inUse, 4 << 20, "the budget holds")
        XCTAssertGreaterThanOrEqual(server.bodyMemory.inUse + spilledBytes(), 6_400_000, "every byte sent was kept")
        XCTAssertLessThan(residentBytes() - before, 32 << 20, "far below the 64 MB announced")
        // The rest of each body completes every request; the memory is given back.
        let rest = [UInt8](repeating: 7, count: 900_000)
        for c in clients { try c.send(rest) }
        for c in clients { XCTAssertEqual(try c.readResponse().status, 200) }
        XCTAssertEqual(received.all.count, 64)
        XCTAssertTrue(received.all.allSatisfy { $0 == 1_000_000 })
        let settled = Date().addingTimeInterval(5)
        while server.bodyMemory.inUse > 0 && Date() < settled { usleep(10_000) }
        XCTAssertEqual(server.bodyMemory.inUse, 0)
    }

    func spilledBytes() -> Int {
        leftovers.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: tempDir + "/" + name)
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
    }
}
