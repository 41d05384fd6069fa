#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import ProcessSupport

/// A datagram socket standing in for systemd's notification socket.
private final class NotifyReceiver {
    let fd: Int32
    let name: String

    /// `abstract`: bind in the abstract namespace and report the name as `@...`.
    init(abstract: Bool) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes: [UInt8]
        if abstract {
            name = "@pounce-notify-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            bytes = [0] + Array(name.utf8.dropFirst())
        } else {
            name = temporaryPath("notify.sock")
            bytes = Array(name.utf8)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { p in
            for (i, b) in bytes.enumerated() { p[i] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        try #require(rc == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    deinit {
        close(fd)
        if !name.hasPrefix("@") { unlink(name) }
    }
}

@Suite struct SystemdNotifyTests {
    @Test(arguments: [false, true]) func readyAndStoppingReachTheSocket(abstract: Bool) throws {
        let receiver = try NotifyReceiver(abstract: abstract)
        let notify = try #require(SystemdNotify(socketPath: receiver.name))
        try notify.ready(mainPID: 4242)
        let ready = try #require(receiver.receive())
        let readyLines = ready.split(separator: "\n")
        #expect(readyLines.contains("READY=1"))
        #expect(readyLines.contains("MAINPID=4242"))
        try notify.stopping()
        let stopping = try #require(receiver.receive())
        #expect(stopping.split(separator: "\n").contains("STOPPING=1"))
        #expect(!stopping.contains("READY=1"))
    }

    @Test func environmentSelectsTheSocket() throws {
        let receiver = try NotifyReceiver(abstract: false)
        setenv("NOTIFY_SOCKET", receiver.name, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let notify = try #require(SystemdNotify.fromEnvironment())
        #expect(notify.socketPath == receiver.name)
        try notify.ready()
        #expect(receiver.receive()?.contains("MAINPID=\(getpid())\n") == true)
    }

    @Test func unusableAddressesAreRejected() {
        #expect(SystemdNotify(socketPath: "") == nil)
        #expect(SystemdNotify(socketPath: "@") == nil)
        #expect(SystemdNotify(socketPath: "relative/notify") == nil)
        #expect(SystemdNotify(socketPath: "vsock:2:1234") == nil)
        #expect(SystemdNotify(socketPath: "/" + String(repeating: "x", count: 200)) == nil)
        #expect(SystemdNotify(socketPath: "/run/systemd/notify")?.socketPath == "/run/systemd/notify")
    }

    @Test func missingListenerIsAnError() throws {
        let notify = try #require(SystemdNotify(socketPath: temporaryPath("absent.sock")))
        #expect(throws: ProcessSupportError.self) { try notify.ready() }
    }
}
