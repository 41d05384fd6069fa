import XCTest
@testable import PoundConfig

final class ConstantTests: XCTestCase {
    func testValuesAndFiles() {
        let fixture = ConfigFixture()
        fixture.write("constfile", "value with spaces  \n\n")
        let config = loadChecked("Constant \"A\" -file \"constfile\" -trim\nConstant \"B\" \"x\"\nConstant \"C\" -file \"constfile\"\n",
                                 in: fixture, succeeds: true, [])
        XCTAssertEqual(config?.constants["A"]?.value, "value with spaces")
        XCTAssertEqual(config?.constants["A"]?.trim, true)
        XCTAssertEqual(config?.constants["B"]?.value, "x")
        XCTAssertEqual(config?.constants["C"]?.value, "value with spaces  \n\n")
    }

    func testRedefinitionWarns() {
        let config = loadChecked("Constant \"A\" \"x\"\nConstant \"A\" \"y\"\n", succeeds: true, [
            "pound.cfg:2.10-12: warning: constant redefined",
            "pound.cfg:1.10-12: This is the place of the previous definition",
        ])
        XCTAssertEqual(config?.constants["A"]?.value, "y")
    }

    func testWatchedFileMayBeMissing() {
        let fixture = ConfigFixture()
        let config = loadChecked("Constant \"A\" -filewatch \"nosuch\"\n", in: fixture, succeeds: true, [
            "pound.cfg:1.10-12: can't open \(fixture.directory)/nosuch: No such file or directory",
            "pound.cfg:1.32-2: \(fixture.directory)/nosuch: file does not exist",
        ])
        XCTAssertNil(config?.constants["A"]?.value)
        XCTAssertEqual(config?.constants["A"]?.file?.watch, true)
    }

    func testErrors() {
        let fixture = ConfigFixture()
        loadChecked("Constant \"A\" -file \"nosuch\"\n", in: fixture, succeeds: false,
                    ["pound.cfg:1.10-12: can't open \(fixture.directory)/nosuch: No such file or directory"])
        fixture.write("emptyfile", "")
        loadChecked("Constant \"A\" -file \"emptyfile\"\n", in: fixture, succeeds: false, ["pound.cfg:1.10-12: emptyfile: empty file"])
        loadChecked("Constant \"A\" -forwarded \"x\"\n", succeeds: false, ["pound.cfg:1.14-23: unsupported option: -forwarded"])
        loadChecked("Constant \"A\"\n", succeeds: false, ["pound.cfg:1.12-2: expected quoted string, but found end of line"])
        loadChecked("Constant 1 \"x\"\n", succeeds: false, ["pound.cfg:1.10: expected quoted string, but found number"])
    }
}
