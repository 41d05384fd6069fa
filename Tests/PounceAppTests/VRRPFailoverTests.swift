import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// VRRP in network namespaces, with real keepalived as a peer: the short form of the rig in
/// `../shared/rigs/vrrp` (next to this checkout, or `VRRP_RIG_DIR`) driven through
/// `Tests/VRRPRig/pounce-node.sh`, and the "proxy unhealthy" failover of `Tests/VRRPRig/unhealthy.sh`.
/// They need root (CI runs as root) and skip otherwise.
final class VRRPFailoverTests: XCTestCase {
    private static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    private func rigDirectory() throws -> String {
        guard getuid() == 0 else { throw XCTSkip("network namespaces need root") }
        let dir = ProcessInfo.processInfo.environment["VRRP_RIG_DIR"]
            ?? URL(fileURLWithPath: Self.packageRoot + "/../shared/rigs/vrrp").standardizedFileURL.path
        guard FileManager.default.isExecutableFile(atPath: dir + "/rig.sh") else {
            throw XCTSkip("the VRRP rig is not at \(dir) (set VRRP_RIG_DIR)")
        }
        return dir
    }

    /// Runs a script with `POUNCE_BIN` naming the pounce under test; its output is both streams.
    private func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let result = PounceProcess.run(["POUNCE_BIN=\(PounceProcess.binary)"] + arguments, in: "/",
                                       executable: "/usr/bin/env")
        return (result.status, result.stdout + result.stderr)
    }

    /// The rig's verdict line: "N passed, M failed".
    private func summary(_ out: String) throws -> (passed: Int, failed: Int) {
        let summary = try String(contentsOfFile: out + "/summary.md", encoding: .utf8)
        guard let line = summary.split(separator: "\n").last(where: { $0.contains(" passed, ") }) else {
            throw HarnessError("no verdict in \(out)/summary.md:\n\(summary)")
        }
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard numbers.count >= 2 else { throw HarnessError("unreadable verdict: \(line)") }
        return (numbers[numbers.count - 2], numbers[numbers.count - 1])
    }

    /// Runs rig.sh with `arguments` (each lb command defaults to keepalived) into a fresh results
    /// folder, and checks that it passed with at least `minimumPassed` triggers and none failed.
    private func runRig(_ arguments: [String], minimumPassed: Int) throws {
        let rig = try rigDirectory()
        let out = PounceProcess.temporaryDirectory() + "/rig"
        let result = run([rig + "/rig.sh", "--out", out] + arguments)
        let verdict = try summary(out)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(verdict.failed, 0, result.output)
        XCTAssertGreaterThanOrEqual(verdict.passed, minimumPassed, result.output)
    }

    private static var node: String { packageRoot + "/Tests/VRRPRig/pounce-node.sh" }

    /// Pounce on both nodes, VRRPv3 at 0.5 s: the first master, a graceful stop (priority 0) and
    /// the FAULT state of a weight-0 check, each moving the address as the rig requires.
    func testRigWithPounceOnBothNodes() throws {
        try runRig(["--lb1-cmd", Self.node, "--lb2-cmd", Self.node, "--vrrp-version", "3", "--advert-int", "0.5",
                    "--ns-prefix", "pt3", "startup", "graceful", "health-fault"], minimumPassed: 5)
    }

    /// Pounce on lb1 and keepalived on lb2, VRRPv2: each takes the address from the other when
    /// killed, and Pounce preempts back after its restart.
    func testRigWithKeepalivedAsThePeer() throws {
        try runRig(["--lb1-cmd", Self.node, "--vrrp-version", "2", "--ns-prefix", "pt2", "kill"], minimumPassed: 2)
    }

    /// The master's listener stops accepting, then its backends die, while its process keeps
    /// running: the address moves to the peer each time within Master_Down_Interval plus the
    /// check's detection time.
    func testUnhealthyProxyGivesTheAddressAway() throws {
        let rig = try rigDirectory()
        let result = run([Self.packageRoot + "/Tests/VRRPRig/unhealthy.sh", rig])
        XCTAssertEqual(result.status, 0, result.output)
        for step in ["startup", "listener-disabled", "listener-enabled", "backends-dead"] {
            XCTAssertTrue(result.output.contains("step \(step): "), "\(step) missing:\n\(result.output)")
        }
        // Both times the proxy's process was still there: a process-exists check saw nothing.
        XCTAssertEqual(result.output.components(separatedBy: "pounce process is still running").count - 1, 2,
                       result.output)
        XCTAssertTrue(result.output.split(separator: "\n").contains { $0.hasSuffix(" PASS") }, result.output)
        print(result.output)
    }

    /// Pounce on both nodes, VRRPv3 at 0.2 s: lb1's worker is killed ten times under a client's
    /// load and the supervisor replaces it without the address moving or a connection being
    /// refused; then lb1's supervisor is killed and lb2 takes over as before.
    func testKilledWorkersDoNotMoveTheAddress() throws {
        let rig = try rigDirectory()
        let result = run([Self.packageRoot + "/Tests/VRRPRig/worker-kill.sh", rig])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("holder samples: "), result.output)
        XCTAssertTrue(result.output.contains(", 0 refused, 0 connect errors"), result.output)
        XCTAssertTrue(result.output.contains("step supervisor-killed: lb2 holds"), result.output)
        XCTAssertTrue(result.output.split(separator: "\n").contains { $0.hasSuffix(" PASS") }, result.output)
        print(result.output)
    }
}
