#if canImport(Glibc)
import Glibc
#endif

/// One end of the supervisor–worker socket pair, read in lines and counted bytes with
/// a deadline, written whole. Blocking, for one thread at a time: the worker reads it
/// on its own thread; the supervisor's side serialises its callers (`WorkerLink`).
public final class LinkConnection: @unchecked Sendable {
    public let fd: Int32
    private var buffer: [UInt8] = []
    /// The peer closed its end (a read gave end of file or an error), as opposed to a
    /// read that ran out of time.
    public private(set) var reachedEnd = false
    /// Lines longer than this are not protocol lines: the connection is treated as broken.
    private static let maximumLine = 64 * 1024

    public init(fd: Int32) { self.fd = fd }

    public func close() { _ = Glibc.close(fd) }

    /// Seconds on the monotonic clock.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Writes all of `bytes`; false when the peer is gone.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            // write(2), not send(2): the same call fills the sessions file. A gone peer gives
            // EPIPE; both processes ignore SIGPIPE.
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// The next line without its newline; nil at end of file, on an error, or when
    /// `deadline` (monotonic seconds; nil waits for ever) passes first.
    public func readLine(deadline: Double?) -> Substring? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return Substring(line)
            }
            guard buffer.count <= Self.maximumLine, fill(deadline: deadline) else { return nil }
        }
    }

    /// Exactly `count` bytes, or nil (end of file, error, deadline).
    public func readBytes(_ count: Int, deadline: Double?) -> [UInt8]? {
        while buffer.count < count {
            guard fill(deadline: deadline) else { return nil }
        }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    /// Drops what was read but not yet taken (after a timed-out question).
    public func discardBuffered() { buffer.removeAll(keepingCapacity: true) }

    private func fill(deadline: Double?) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let left = deadline - Self.now()
                guard left > 0 else { return false }
                timeout = Int32(min(left * 1000, 1_000_000).rounded(.up))
            }
            let rc = poll(&pfd, 1, timeout)
            if rc < 0 {
                if errno == EINTR { continue }
                reachedEnd = true
                return false
            }
            if rc == 0 { continue }
            break
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                reachedEnd = true
                return false
            }
            buffer.append(contentsOf: chunk[..<n])
            return true
        }
    }
}
