import Glibc

/// A plain `http://` connection: the connected blocking socket itself (not owned: the
/// client closes it), each call bounded by its SO_RCVTIMEO/SO_SNDTIMEO.
final class BlockingSocketStream: BlockingStream {
    private let fd: Int32

    init(fd: Int32) {
        self.fd = fd
    }

    func write(_ bytes: [UInt8]) throws(HTTPSClient.Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Self.failure("write") }
            offset += n
        }
    }

    func readAll(limit: Int) throws(HTTPSClient.Failure) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                out += chunk[..<n]
                guard out.count <= limit else { throw HTTPSClient.Failure(description: "response too large") }
                continue
            }
            if n == 0 { return out }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw HTTPSClient.Failure(description: "read timed out") }
            throw Self.failure("read")
        }
    }

    private static func failure(_ what: String) -> HTTPSClient.Failure {
        HTTPSClient.Failure(description: "\(what): \(String(cString: strerror(errno)))")
    }
}
