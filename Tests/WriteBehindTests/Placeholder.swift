import XCTest
final class PlaceholderWriteBehindTests: XCTestCase { func testNothing() {} }
