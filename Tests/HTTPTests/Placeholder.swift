import XCTest
final class PlaceholderHTTPTests: XCTestCase { func testNothing() {} }
