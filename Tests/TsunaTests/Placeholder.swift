import XCTest
final class PlaceholderTsunaTests: XCTestCase { func testNothing() {} }
