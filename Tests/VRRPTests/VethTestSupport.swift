import Foundation
import Testing
@testable import VRRP

#if canImport(Glibc)
import Glibc
#endif

/// What the real-socket suites share: root, a command runner, and a veth pair in this namespace.
let runningAsRoot = getuid() == 0

/// Runs a command, returns its standard output and error; a failure to start is recorded, not thrown.
/// posix_spawn and waitpid, not Foundation's Process: its waitUntilExit can miss the child's
/// exit when the test's threads are all busy, and a suite then hangs.
@discardableResult
func command(_ arguments: [String]) -> String {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else {
        Issue.record("cannot run \(arguments): pipe failed")
        return ""
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    posix_spawn_file_actions_addclose(&actions, fds[1])
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid = pid_t()
    let rc = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ)
    close(fds[1])
    defer { close(fds[0]) }
    guard rc == 0 else {
        Issue.record("cannot run \(arguments): \(String(cString: strerror(rc)))")
        return ""
    }
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fds[0], &buffer, buffer.count)
        if n > 0 { output += buffer[0..<n]; continue }
        if n < 0 && errno == EINTR { continue }
        break
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return String(decoding: output, as: UTF8.self)
}

/// `first` (A.B.C.1/24) <-> `second` (A.B.C.2/24) for the duration of `body`, both up with carrier.
/// Both ends accept packets from a local source address: each end's peer address is local here,
/// so the kernel would otherwise drop the other end's packets as martians. `alsoRemove` names
/// links the body may leave behind (a macvlan on `first`).
func withVethPair(_ first: String, _ second: String, subnet: String, alsoRemove: [String] = [],
                  _ body: () throws -> Void) rethrows {
    let cleanup = { for link in alsoRemove + [first] { command(["ip", "link", "del", link]) } }
    cleanup()
    command(["ip", "link", "add", first, "type", "veth", "peer", "name", second])
    defer { cleanup() }
    command(["ip", "addr", "add", "\(subnet).1/24", "dev", first])
    command(["ip", "addr", "add", "\(subnet).2/24", "dev", second])
    for name in [first, second] {
        do {
            try VRRPVirtualMAC.writeSysctl("ipv4", name, "accept_local", "1")
            try VRRPVirtualMAC.writeSysctl("ipv4", name, "rp_filter", "0")
        } catch {
            Issue.record("sysctl on \(name): \(error)")
        }
        command(["ip", "link", "set", name, "up"])
    }
    for _ in 0..<50 where !command(["ip", "link", "show", second]).contains("LOWER_UP") {
        usleep(20_000)
    }
    try body()
}

/// The datagrams or frames `fd` receives within `milliseconds`, up to and including the first
/// that `stop` accepts.
func receivePackets(_ fd: Int32, milliseconds: Int, stop: ([UInt8]) -> Bool = { _ in false }) -> [[UInt8]] {
    var packets: [[UInt8]] = []
    var buffer = [UInt8](repeating: 0, count: 2048)
    let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
    while Date() < deadline {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 50) > 0 else { continue }
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { continue }
        packets.append(Array(buffer[0..<count]))
        if stop(packets[packets.count - 1]) { break }
    }
    return packets
}
