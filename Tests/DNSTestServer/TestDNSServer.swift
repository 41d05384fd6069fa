#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation

/// A DNS server on 127.0.0.1 (UDP, one thread), answering from a table the test changes.
public final class TestDNSServer: @unchecked Sendable {
    public enum Record: Sendable, Equatable {
        case a(String, ttl: UInt32)                 // "127.0.0.2"
        case aaaa(String, ttl: UInt32)              // "::1"
        case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String, ttl: UInt32)
    }

    public struct SocketError: Error, CustomStringConvertible {
        let call: String
        let code: Int32
        public var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
    }

    public let port: Int
    private let fd: Int32
    private let state = State()
    private let finished = DispatchSemaphore(value: 0)

    /// Shared with the serving thread. Kept apart from `self` so the thread does not
    /// retain the server, which lets `deinit` (and thus `stop()`) run.
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var table: [String: [Record]] = [:]
        var answering = true
        var queries = 0
        var stopped = false
    }

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(call: "socket", code: errno) }
        func fail(_ call: String) -> SocketError {
            let error = SocketError(call: call, code: errno)
            close(fd)
            return error
        }
        // The timeout lets the thread wake up regularly to notice stop().
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0
        else { throw fail("setsockopt") }

        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard bound else { throw fail("bind") }

        self.fd = fd
        self.port = Int(UInt16(bigEndian: addr.sin_port))
        let thread = Thread { [state, finished] in
            Self.serve(fd: fd, state: state)
            finished.signal()
        }
        thread.name = "TestDNSServer:\(port)"
        thread.start()
    }

    deinit { stop() }

    public func set(_ name: String, _ records: [Record]) {
        state.lock.withLock { state.table[Self.normalize(name)] = records }
    }

    public func remove(_ name: String) {
        state.lock.withLock { _ = state.table.removeValue(forKey: Self.normalize(name)) }
    }

    public var answering: Bool {
        get { state.lock.withLock { state.answering } }
        set { state.lock.withLock { state.answering = newValue } }
    }

    public var queries: Int { state.lock.withLock { state.queries } }

    /// Waits for the thread to exit before closing, so the fd number can't be reused
    /// by someone else while the thread might still read from it.
    public func stop() {
        let first = state.lock.withLock {
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        finished.wait()
        close(fd)
    }

    private static func normalize(_ name: String) -> String {
        var name = name.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    private static func serve(fd: Int32, state: State) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !state.lock.withLock({ state.stopped }) {
            var from = sockaddr_storage()
            var fromLen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, bytes.baseAddress, bytes.count, 0, $0, &fromLen)
                    }
                }
            }
            guard count > 0, let query = Query(Array(buffer[0..<count])) else { continue } // timeout or junk
            let (answering, records) = state.lock.withLock { () -> (Bool, [Record]?) in
                state.queries += 1
                return (state.answering, state.table[query.name])
            }
            guard answering else { continue }
            let reply = response(to: query, records: records)
            _ = reply.withUnsafeBytes { bytes in
                withUnsafePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, bytes.baseAddress, bytes.count, 0, $0, fromLen)
                    }
                }
            }
        }
    }

    /// The parts of a query needed to answer it; nil for anything malformed.
    private struct Query {
        let packet: [UInt8]
        let name: String
        let type: UInt16
        let questionEnd: Int

        init?(_ packet: [UInt8]) {
            // Header: a query (QR=0), standard opcode, exactly one question.
            guard packet.count >= 12, packet[2] & 0xF8 == 0, packet[4] == 0, packet[5] == 1 else { return nil }
            var offset = 12
            var labels: [String] = []
            while true {
                guard offset < packet.count else { return nil }
                let length = Int(packet[offset])
                offset += 1
                if length == 0 { break }
                // Compression pointers (0xC0) never appear in a sane question.
                guard length <= 63, offset + length <= packet.count else { return nil }
                labels.append(String(decoding: packet[offset..<offset + length], as: UTF8.self))
                offset += length
            }
            guard offset + 4 <= packet.count else { return nil }
            self.packet = packet
            self.name = TestDNSServer.normalize(labels.joined(separator: "."))
            self.type = UInt16(packet[offset]) << 8 | UInt16(packet[offset + 1])
            self.questionEnd = offset + 4
        }
    }

    private static func response(to query: Query, records: [Record]?) -> [UInt8] {
        let answers = (records ?? []).compactMap { answer($0, type: query.type) }
        var out: [UInt8] = [query.packet[0], query.packet[1]]
        out.append(0x84 | (query.packet[2] & 0x01))          // QR, AA, RD copied
        out.append(records == nil ? 3 : 0)                   // RA=0, NXDOMAIN if unknown
        out += [0, 1] + be16(UInt16(answers.count)) + [0, 0, 0, 0]
        out += query.packet[12..<query.questionEnd]          // echo the question
        for answer in answers { out += answer }
        return out
    }

    /// One answer RR, or nil if the record is not of the asked type (or unusable).
    private static func answer(_ record: Record, type: UInt16) -> [UInt8]? {
        let rrType: UInt16, ttl: UInt32, rdata: [UInt8]?
        switch record {
        case let .a(address, t):
            (rrType, ttl) = (1, t)
            var addr = in_addr()
            rdata = inet_pton(AF_INET, address, &addr) == 1 ? withUnsafeBytes(of: &addr) { Array($0) } : nil
        case let .aaaa(address, t):
            (rrType, ttl) = (28, t)
            var addr = in6_addr()
            rdata = inet_pton(AF_INET6, address, &addr) == 1 ? withUnsafeBytes(of: &addr) { Array($0) } : nil
        case let .srv(priority, weight, port, target, t):
            (rrType, ttl) = (33, t)
            rdata = encodeName(target).map { be16(priority) + be16(weight) + be16(port) + $0 }
        }
        guard rrType == type, let rdata, rdata.count <= 0xFFFF else { return nil }
        return [0xC0, 0x0C] + be16(rrType) + be16(1)         // name -> question, class IN
            + be16(UInt16(ttl >> 16)) + be16(UInt16(ttl & 0xFFFF))
            + be16(UInt16(rdata.count)) + rdata
    }

    private static func encodeName(_ name: String) -> [UInt8]? {
        var out: [UInt8] = []
        for label in name.split(separator: ".") {
            let bytes = Array(label.utf8)
            guard bytes.count <= 63 else { return nil }
            out.append(UInt8(bytes.count))
            out += bytes
        }
        return out + [0]
    }

    private static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
}
