import XCTest
final class PlaceholderMailTests: XCTestCase { func testNothing() {} }
