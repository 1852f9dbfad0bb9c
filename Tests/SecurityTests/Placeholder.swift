import XCTest
final class PlaceholderSecurityTests: XCTestCase { func testNothing() {} }
