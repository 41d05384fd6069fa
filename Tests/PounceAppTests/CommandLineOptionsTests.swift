import XCTest
@testable import PounceApp
import PoundConfig

final class CommandLineOptionsTests: XCTestCase {
    func testHarnessCommandLines() throws {
        // The exact command lines Pound's test harness uses.
        var o = try CommandLineOptions.parse(["-c", "-Wno-dns", "-Wno-include-dir", "-f", "pound.cfg"])
        XCTAssertEqual(o.action, .check)
        XCTAssertEqual(o.configFile, "pound.cfg")
        XCTAssertFalse(o.features.dns)
        XCTAssertNil(o.features.includeDirectory)

        o = try CommandLineOptions.parse(["-p", "pound.pid", "-f", "pound.cfg", "-v", "-e", "-W", "no-include-dir", "-W", "no-dns"])
        XCTAssertEqual(o.action, .run)
        XCTAssertEqual(o.pidFile, "pound.pid")
        XCTAssertTrue(o.verbose)
        XCTAssertTrue(o.logToStderr)
        XCTAssertTrue(o.foreground, "-e implies -F")
        XCTAssertFalse(o.features.dns)

        o = try CommandLineOptions.parse(["-Wno-dns", "-Wno-include-dir", "-Wno-warn-deprecated", "-c", "-f", "./pound.cfg"])
        XCTAssertFalse(o.features.warnDeprecated)
    }

    func testClusteredFlagsAndJoinedArguments() throws {
        let o = try CommandLineOptions.parse(["-cvFfmy.cfg", "-pmy.pid"])
        XCTAssertEqual(o.action, .check)
        XCTAssertTrue(o.verbose)
        XCTAssertTrue(o.foreground)
        XCTAssertEqual(o.configFile, "my.cfg")
        XCTAssertEqual(o.pidFile, "my.pid")
    }

    func testIncludeDirFeature() throws {
        var o = try CommandLineOptions.parse(["-W", "include-dir=/tmp"])
        XCTAssertEqual(o.features.includeDirectory, "/tmp")
        o = try CommandLineOptions.parse(["-W", "include-dir=."])
        XCTAssertNil(o.features.includeDirectory)
        XCTAssertThrowsError(try CommandLineOptions.parse(["-W", "include-dir=/nonexistent-dir"])) { e in
            XCTAssertEqual((e as? CommandLineOptions.ParseError)?.description,
                           "include-dir: can't stat /nonexistent-dir: No such file or directory")
        }
    }

    func testErrors() {
        XCTAssertThrowsError(try CommandLineOptions.parse(["-x"])) {
            XCTAssertEqual($0 as? CommandLineOptions.ParseError, .invalidOption("x"))
        }
        XCTAssertThrowsError(try CommandLineOptions.parse(["-f"])) {
            XCTAssertEqual($0 as? CommandLineOptions.ParseError, .missingArgument("f"))
        }
        XCTAssertThrowsError(try CommandLineOptions.parse(["-Wfoo"])) {
            XCTAssertEqual(($0 as? CommandLineOptions.ParseError)?.description, "invalid feature name: foo")
        }
        XCTAssertThrowsError(try CommandLineOptions.parse(["-W", "dns=1"])) {
            XCTAssertEqual(($0 as? CommandLineOptions.ParseError)?.description, "invalid feature name: dns=1")
        }
        XCTAssertThrowsError(try CommandLineOptions.parse(["-c", "extra"])) {
            XCTAssertEqual(($0 as? CommandLineOptions.ParseError)?.description, "unknown extra arguments (extra...)")
        }
    }

    func testHelpAndVersionStopParsing() throws {
        XCTAssertEqual(try CommandLineOptions.parse(["-h", "-x"]).action, .help)
        XCTAssertEqual(try CommandLineOptions.parse(["-V"]).action, .version)
    }

    func testProgramNameIsBasename() {
        XCTAssertEqual(ProgramName(argv0: "/tmp/alt/pound").name, "pound")
        XCTAssertEqual(ProgramName(argv0: "pounce").name, "pounce")
    }
}
