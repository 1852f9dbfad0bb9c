import XCTest
import HTTP

/// Client addresses behind trusted proxies (SPEC 12).
final class TrustedProxiesTests: XCTestCase {
    func testParsingAddressesAndBlocks() throws {
        let proxies = try TrustedProxies.parse(" 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,::1")
        XCTAssertEqual(proxies.blocks.map(\.description), ["10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::1"])
        XCTAssertTrue(try TrustedProxies.parse("").isEmpty)
        XCTAssertTrue(try TrustedProxies.parse(" , ").isEmpty)
        for bad in ["10.0.0.0/33", "10.0.0.1/+8", "::1/129", "example.com", "10.0.0", "1.2.3.4/", "*"] {
            XCTAssertThrowsError(try TrustedProxies.parse("127.0.0.1, \(bad)"), bad) { error in
                XCTAssertEqual((error as? TrustedProxiesError)?.entry, bad)
            }
        }
    }

    func testMembership() throws {
        let proxies = try TrustedProxies.parse("10.0.0.0/8, 192.0.2.7, 2001:db8::/32, ::1")
        for yes in ["10.1.2.3", "10.255.255.255", "192.0.2.7", "2001:db8:1::5", "::1", "::ffff:10.9.9.9"] {
            XCTAssertTrue(proxies.contains(yes), yes)
        }
        for no in ["11.0.0.1", "192.0.2.8", "2001:db9::1", "::2", "not an address", ""] {
            XCTAssertFalse(proxies.contains(no), no)
        }
        XCTAssertTrue(try TrustedProxies.parse("0.0.0.0/0").contains("203.0.113.1"))
        XCTAssertFalse(try TrustedProxies.parse("0.0.0.0/0").contains("2001:db8::1"), "an IPv4 block holds no IPv6 address")
    }

    func testTheClientIsTheRightMostUntrustedEntry() throws {
        let proxies = try TrustedProxies.parse("10.0.0.0/8")
        XCTAssertEqual(proxies.clientAddress(peer: "10.0.0.1", forwardedFor: ["203.0.113.5"]), "203.0.113.5")
        XCTAssertEqual(proxies.clientAddress(peer: "10.0.0.1", forwardedFor: ["198.51.100.9, 203.0.113.5, 10.0.0.2"]),
                       "203.0.113.5", "what the client wrote on the left is not believed")
        XCTAssertEqual(proxies.clientAddress(peer: "10.0.0.1", forwardedFor: ["1.1.1.1", "203.0.113.5 , 10.0.0.3"]),
                       "203.0.113.5", "several header fields are one list")
        XCTAssertEqual(proxies.clientAddress(peer: "10.0.0.1", forwardedFor: ["10.0.0.9, 10.0.0.2"]), "10.0.0.9",
                       "all trusted: the left-most")
        XCTAssertEqual(proxies.clientAddress(peer: "10.0.0.1", forwardedFor: ["203.0.113.5:4711"]), "203.0.113.5")
        XCTAssertEqual(proxies.clientAddress(peer: "10.0.0.1", forwardedFor: ["[2001:db8::7]:80"]), "2001:db8::7")
        XCTAssertEqual(proxies.clientAddress(peer: "10.0.0.1", forwardedFor: ["2001:DB8:0::7"]), "2001:db8::7")
        XCTAssertEqual(proxies.clientAddress(peer: "10.0.0.1", forwardedFor: ["unknown"]), "10.0.0.1",
                       "garbage where a trusted proxy wrote: the peer")
        XCTAssertEqual(proxies.clientAddress(peer: "10.0.0.1", forwardedFor: []), "10.0.0.1")
        XCTAssertEqual(proxies.clientAddress(peer: "203.0.113.77", forwardedFor: ["198.51.100.1"]), "203.0.113.77",
                       "an untrusted peer's header is ignored")
        XCTAssertEqual(TrustedProxies().clientAddress(peer: "10.0.0.1", forwardedFor: ["198.51.100.1"]), "10.0.0.1")
    }
}
