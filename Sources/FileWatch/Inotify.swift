#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking inotify instance and the events read from it.
struct Inotify {
    let fd: Int32

    struct Event {
        var wd: Int32
        var mask: UInt32
        /// The entry's name for events about something inside a watched directory.
        var name: String?
    }

    enum Drained {
        case events([Event])
        /// Nothing more is queued.
        case empty
        case failed(Int32)
    }

    static let closeWrite = UInt32(IN_CLOSE_WRITE)
    static let create = UInt32(IN_CREATE)
    static let movedTo = UInt32(IN_MOVED_TO)
    static let movedFrom = UInt32(IN_MOVED_FROM)
    static let delete = UInt32(IN_DELETE)
    static let deleteSelf = UInt32(IN_DELETE_SELF)
    static let moveSelf = UInt32(IN_MOVE_SELF)
    static let ignored = UInt32(IN_IGNORED)
    static let overflow = UInt32(IN_Q_OVERFLOW)
    static let onlyDirectory = UInt32(IN_ONLYDIR)
    static let maskAdd = UInt32(IN_MASK_ADD)

    /// Fails with the errno when the kernel has no inotify (or no instances left).
    static func open() -> Result<Inotify, SystemErrno> {
        let fd = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        guard fd >= 0 else { return .failure(SystemErrno(errno)) }
        return .success(Inotify(fd: fd))
    }

    /// The watch descriptor, or nil when the path can't be watched.
    func addWatch(_ path: String, mask: UInt32) -> Int32? {
        let wd = inotify_add_watch(fd, path, mask)
        return wd >= 0 ? wd : nil
    }

    func removeWatch(_ wd: Int32) {
        _ = inotify_rm_watch(fd, wd)
    }

    func close() {
        _ = Glibc.close(fd)
    }

    /// One read(2) worth of events.
    func read() -> Drained {
        // Big enough for many events; each holds at most NAME_MAX + 1 bytes of name.
        let capacity = 64 * 1024
        return withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 8) { buffer -> Drained in
            var n: Int
            repeat {
                n = Glibc.read(fd, buffer.baseAddress, capacity)
            } while n < 0 && errno == EINTR
            if n < 0 {
                return errno == EAGAIN || errno == EWOULDBLOCK ? .empty : .failed(errno)
            }
            if n == 0 { return .empty }
            return .events(Self.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<n])))
        }
    }

    /// `struct inotify_event` records: wd, mask, cookie, len, then `len` bytes of
    /// NUL-padded name.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> [Event] {
        let header = 16
        var events: [Event] = []
        var offset = 0
        while offset + header <= bytes.count {
            let wd = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + header
            let nameEnd = min(nameStart + length, bytes.count)
            var name: String?
            if length > 0 {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd])
                name = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            events.append(Event(wd: wd, mask: mask, name: name))
            offset = nameStart + length
        }
        return events
    }
}

/// An errno with strerror(3)'s text as its description.
public struct SystemErrno: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Int32
    public init(_ code: Int32) { self.code = code }
    public var description: String { String(cString: strerror(code)) }
}
