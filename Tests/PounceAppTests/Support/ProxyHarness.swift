import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A running `pounce` process for integration tests: started in the foreground with
/// `-e` (logs on stdout/stderr, captured to a file), stopped with a signal, its exit
/// status checked by the caller.
final class RunningPounce {
    let process = Process()
    let directory: String
    let logPath: String
    let port: Int

    /// Writes `config` (with `{PORT}` replaced by a free port) and `files` (name →
    /// text, beside it) and starts pounce on it.
    init(config: String, files: [String: String] = [:], extraArguments: [String] = [], waitForPort: Bool = true) throws {
        directory = PounceProcess.temporaryDirectory()
        for (name, text) in files { PounceProcess.write(text, to: directory + "/" + name) }
        port = FreePort.next()
        logPath = directory + "/pounce.log"
        let text = config.replacingOccurrences(of: "{PORT}", with: String(port))
        PounceProcess.write(text, to: directory + "/pound.cfg")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        // Without its own log file the child would inherit ours and `log` stay empty.
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw HarnessError("cannot open \(logPath) for pounce's output")
        }
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-e", "-Wno-dns", "-Wno-include-dir", "-p", directory + "/pounce.pid", "-f", "pound.cfg"] + extraArguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        if waitForPort && !TCP.waitUntilAccepting(port: port, timeout: 10) {
            stop(signal: SIGKILL)
            throw HarnessError("pounce did not start accepting on \(port):\n\(self.log)")
        }
    }

    var log: String { PounceProcess.read(logPath) }

    /// The proxy under test: the built `pounce`, or the binary named by
    /// `POUNCE_TEST_BINARY` (e.g. Pound 4.23, to check what a test expects).
    static var binary: String {
        ProcessInfo.processInfo.environment["POUNCE_TEST_BINARY"] ?? PounceProcess.binary
    }

    /// True when the tests run against Pound itself rather than Pounce.
    static var isPound: Bool { binary.hasSuffix("/pound") }

    /// The log's lines without the program-name prefix (`pounce: ` or `pound: `).
    var logLines: [String] {
        log.split(separator: "\n").map { line in
            for prefix in ["pounce: ", "pound: "] where line.hasPrefix(prefix) { return String(line.dropFirst(prefix.count)) }
            return String(line)
        }
    }

    /// Waits until a log line (prefix removed) satisfies `predicate`; returns it.
    func waitForLogLine(timeout: TimeInterval = 10, where predicate: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = logLines.first(where: predicate) { return line }
            usleep(20_000)
        }
        return nil
    }

    /// Sends `signal` and waits; returns the exit status (or 128+signal if killed).
    @discardableResult
    func stop(signal: Int32 = SIGHUP, timeout: TimeInterval = 20) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return 128 + SIGKILL
        }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Waits until the log contains `text` (the proxy logs asynchronously).
    func waitForLog(_ text: String, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            usleep(20_000)
        }
        return false
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Free TCP ports on 127.0.0.1 (bind to 0, read the port, close).
/// Ports for listeners the tests start. A port is handed out once per test process
/// (tests run in parallel, and a port freed by one probe could go to the next), and
/// is taken below Linux's ephemeral range (32768-60999), so outgoing connections'
/// source ports never collide with a listener that has yet to bind.
enum FreePort {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handedOut = Set<Int>()

    static func next() -> Int {
        for _ in 0..<2000 {
            let candidate = Int.random(in: 20_000..<32_000)
            let fresh = lock.withLock { handedOut.insert(candidate).inserted }
            if fresh, canBind(candidate) { return candidate }
        }
        return 0
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port)).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// Blocking TCP client helpers with timeouts, so a broken proxy fails a test instead
/// of hanging it.
final class TCP {
    let fd: Int32

    init(port: Int, timeout: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port)).bigEndian
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if rc != 0 {
            close(fd)
            throw HarnessError("connect to \(port) failed: \(String(cString: strerror(errno)))")
        }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    static func waitUntilAccepting(port: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? TCP(port: port)) != nil { return true }
            usleep(20_000)
        }
        return false
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads whatever arrives until the peer closes or the timeout passes.
    func readAll() -> String {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads one HTTP response (head plus Content-Length or chunked body).
    func readResponse() -> HTTPReply? {
        var data = pushback
        pushback = []
        var buf = [UInt8](repeating: 0, count: 65536)
        func fill() -> Bool {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { return false }
            data += buf[0..<n]
            return true
        }
        while true {
            if let reply = HTTPReply.parse(&data, complete: false) {
                pushback = data
                return reply
            }
            if !fill() { return HTTPReply.parse(&data, complete: true) }
        }
    }

    private var pushback: [UInt8] = []
}

/// A parsed response as the tests look at it.
struct HTTPReply {
    var statusLine: String
    var status: Int
    var headers: [(String, String)]
    var body: String

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Parses one response from the front of `data`, removing it; nil if incomplete.
    static func parse(_ data: inout [UInt8], complete: Bool) -> HTTPReply? {
        let bytes = data
        guard let headEnd = find(bytes, [13, 10, 13, 10]) else { return nil }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        let status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var reply = HTTPReply(statusLine: statusLine, status: status, headers: headers, body: "")
        let bodyStart = headEnd + 4
        if status / 100 == 1 || status == 204 || status == 304 {
            data.removeFirst(bodyStart)
            return reply
        }
        // A negative length (Pound's `Success` says -1) frames nothing: read to close.
        if let cl = reply.header("Content-Length").flatMap({ Int($0) }), cl >= 0 {
            guard bytes.count >= bodyStart + cl else { return nil }
            reply.body = String(decoding: bytes[bodyStart..<bodyStart + cl], as: UTF8.self)
            data.removeFirst(bodyStart + cl)
            return reply
        }
        if reply.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            var i = bodyStart
            var body: [UInt8] = []
            while true {
                guard let lineEnd = find(Array(bytes[i...]), [13, 10]).map({ $0 + i }) else { return nil }
                let sizeText = String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
                i = lineEnd + 2
                if size == 0 {
                    guard let end = find(Array(bytes[i...]), [13, 10]) else { return nil }
                    i += end + 2
                    break
                }
                guard bytes.count >= i + size + 2 else { return nil }
                body += bytes[i..<i + size]
                i += size + 2
            }
            reply.body = String(decoding: body, as: UTF8.self)
            data.removeFirst(i)
            return reply
        }
        guard complete else { return nil }
        reply.body = String(decoding: bytes[bodyStart...], as: UTF8.self)
        data.removeAll()
        return reply
    }

    static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<i + needle.count]) == needle { return i }
        }
        return nil
    }
}

extension TCP {
    /// Sends `head` (request line and headers, without the final empty line) plus
    /// `Connection: close` and `body` on a new connection; returns the one response.
    static func exchange(_ head: String, port: Int, body: String = "") throws -> HTTPReply {
        let c = try TCP(port: port)
        c.send(head + "\r\nConnection: close\r\n\r\n" + body)
        guard let r = c.readResponse() else { throw HarnessError("no response for \(head)") }
        return r
    }

    /// `GET path` with `Host` and `headers`, through `exchange`.
    static func get(_ path: String, port: Int, host: String = "localhost", headers: [String] = []) throws -> HTTPReply {
        try exchange((["GET \(path) HTTP/1.1", "Host: \(host)"] + headers).joined(separator: "\r\n"), port: port)
    }
}
