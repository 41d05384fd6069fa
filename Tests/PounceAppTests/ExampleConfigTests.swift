import XCTest

/// The configurations shipped in examples/ load with exactly the output Pound 4.23
/// gives for them (verified against a real Pound 4.23).
final class ExampleConfigTests: XCTestCase {
    let examples: String = {
        var path = "\(#filePath)"
        for _ in 0..<3 { path = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) }
        return path + "/examples"
    }()

    private func check(_ name: String) -> PounceProcess.Result {
        PounceProcess.run(["-c", "-Wno-dns", "-W", "include-dir=.", "-f", name], in: examples)
    }

    func testClassicTutorialConfigIsSilent() {
        let r = check("classic-ha.cfg")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr, "")
    }

    func testLegacyConfigWarnsLikePound() {
        let r = check("legacy-2x.cfg")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr, """
            pounce: legacy-2x.cfg:15.9-17: warning: deprecated statement, use "SetHeader" instead
            pounce: legacy-2x.cfg:16.9-18: warning: deprecated statement, use "DeleteHeader" instead
            pounce: legacy-2x.cfg:17.9-21: warning: deprecated statement, use "ErrorFile 414" instead
            pounce: legacy-2x.cfg:18.9-21: warning: deprecated statement, use "ErrorFile 500" instead
            pounce: legacy-2x.cfg:19.9-21: warning: deprecated statement, use "ErrorFile 501" instead
            pounce: legacy-2x.cfg:20.9-21: warning: deprecated statement, use "ErrorFile 503" instead
            pounce: legacy-2x.cfg:26.17-34: warning: deprecated statement, use "Header" instead
            pounce: legacy-2x.cfg:27.17-31: warning: deprecated statement, use "Not Header" instead

            """)
    }

    func testPound2ExtensionsAreAcceptedWithWarnings() {
        let r = check("pound2-extensions.cfg")
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, r.stderr)
        XCTAssertTrue(lines.allSatisfy { $0.contains("warning: deprecated") }, r.stderr)
    }

    /// The README's VRRP example (a Pounce extension) checks clean, with its summary.
    func testVRRPExampleIsValid() {
        let r = PounceProcess.run(["-c", "-v", "-Wno-dns", "-W", "include-dir=.", "-f", "ha-vrrp.cfg"], in: examples)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        XCTAssertTrue(r.stdout.contains("1 VRRP instance"), r.stdout)
    }
}
