import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `pounce -c` as a process: exit status and output byte for byte.
final class CheckCommandTests: XCTestCase {
    var dir = ""

    override func setUp() {
        dir = PounceProcess.temporaryDirectory()
    }

    private func check(_ config: String, name: String = "pound.cfg", extra: [String] = []) -> PounceProcess.Result {
        PounceProcess.write(config, to: dir + "/" + name)
        return PounceProcess.run(["-c", "-Wno-dns", "-Wno-include-dir"] + extra + ["-f", name], in: dir)
    }

    func testValidConfigPrintsNothing() {
        let r = check("User \"root\"\nGroup \"root\"\n")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr, "")
    }

    func testErrorIsPrefixedWithProgramNameAndExitsOne() {
        let r = check("user \"root\"\nFooBar 10\n")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr, "pounce: pound.cfg:2.1-6: unrecognized keyword\n")
    }

    /// 10,000 nested `Match` blocks: refused at the 257th with Pound's message form,
    /// exit 1 (the parser's recursion overflowed the stack, SIGSEGV, before the limit).
    func testDeepNestingIsRefusedNotACrash() {
        let depth = 10_000
        let config = "Service\n" + String(repeating: "Match AND\n", count: depth) + "URL \"x\"\n"
            + String(repeating: "End\n", count: depth) + "Backend\nAddress 127.0.0.1\nEnd\nEnd\n"
        let r = check(config)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("pounce: pound.cfg:") && r.stderr.contains(": nesting too deep"), r.stderr)
    }

    func testSymlinkNamedPoundSpeaksAsPound() {
        let link = dir + "/pound"
        symlink(PounceProcess.binary, link)
        PounceProcess.write("FooBar 1\n", to: dir + "/pound.cfg")
        let r = PounceProcess.run(["-c", "-Wno-dns", "-Wno-include-dir", "-f", "pound.cfg"], in: dir, executable: link)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "pound: pound.cfg:1.1-6: unrecognized keyword\n")
    }

    func testVerboseCheckReportsOK() {
        let r = check("User \"root\"\n", extra: ["-v"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "pounce: Config file pound.cfg is OK\npounce: pound.cfg: OK: 0 listeners, 0 services, 0 backends, 0 modules\n")
    }

    func testVerboseCheckSummarisesTheConfiguration() {
        let config = """
        ListenHTTP
         Address 127.0.0.1
         Port 8080
         Service
          Backend
           Address 127.0.0.1
           Port 9000
          End
          Backend
           Address 127.0.0.1
           Port 9001
          End
          Emergency
           Address 127.0.0.1
           Port 9002
          End
         End
        End
        ListenHTTP
         Address 127.0.0.1
         Port 8081
        End
        Service
         Backend
          Address 127.0.0.1
          Port 9003
         End
        End
        Service
         Error 404
        End

        """
        let r = check(config, extra: ["-v"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "pounce: Config file pound.cfg is OK\n"
                       + "pounce: pound.cfg: OK: 2 listeners, 3 services, 5 backends, 0 modules\n")
    }

    func testSummaryOnlyWithVerbose() {
        // No LogFacility: Pound's line reaches stdout, the summary needs -v.
        let r = check("LogFacility -\nListenHTTP\n Address 127.0.0.1\n Port 8080\nEnd\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "pounce: Config file pound.cfg is OK\n")
    }

    func testInvalidOptionUsesInvocationName() {
        let r = PounceProcess.run(["-x"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "\(PounceProcess.binary): invalid option -- 'x'\n")
    }

    func testInvalidFeature() {
        let r = PounceProcess.run(["-Wfoo"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "pounce: invalid feature name: foo\n")
    }

    func testMissingConfigFile() {
        let r = PounceProcess.run(["-c", "-f", "/nonexistent/pound.cfg"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "pounce: can't stat /nonexistent/pound.cfg: No such file or directory\n")
    }

    func testVersionAndHelp() {
        let v = PounceProcess.run(["-V"], in: dir)
        XCTAssertEqual(v.status, 0)
        XCTAssertTrue(v.stdout.hasPrefix("pounce (pounce) "), v.stdout)
        let h = PounceProcess.run(["-h"], in: dir)
        XCTAssertEqual(h.status, 0)
        XCTAssertTrue(h.stdout.hasPrefix("usage: pounce [-FVcehv] [-W [no-]FEATURE] [-f FILE] [-p FILE]\n"))
    }

    func testRunWithoutListenersFails() {
        PounceProcess.write("User \"root\"\n", to: dir + "/pound.cfg")
        let r = PounceProcess.run(["-e", "-Wno-include-dir", "-f", "pound.cfg"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "pounce: no listeners defined\npounce: pounce terminated\n")
    }
}
