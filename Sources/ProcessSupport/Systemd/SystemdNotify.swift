#if canImport(Glibc)
import Glibc
#endif

/// The sd_notify(3) protocol without libsystemd: one datagram of `KEY=VALUE` lines sent
/// to the AF_UNIX socket systemd names in `NOTIFY_SOCKET`.
///
/// A `Type=notify` unit waits for `READY=1` before it counts the service as started (so
/// units ordered after it see bound listeners), and `STOPPING=1` tells it the stop was the
/// service's own decision. Pound itself has no systemd support; this is a Pounce addition
/// and does nothing when `NOTIFY_SOCKET` is unset.
public struct SystemdNotify: Sendable, Equatable {
    /// The socket address as systemd wrote it: an absolute path, or `@name` for the
    /// abstract namespace (the `@` stands for the leading NUL byte).
    public let socketPath: String

    public init?(socketPath: String) {
        // systemd also passes `vsock:` addresses to VMs; Pounce does not run there, and a
        // relative path would depend on the working directory, so neither is accepted.
        guard socketPath.count > 1, socketPath.hasPrefix("/") || socketPath.hasPrefix("@") else { return nil }
        // sun_path is 108 bytes; a path that does not fit cannot be addressed at all.
        guard socketPath.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else { return nil }
        self.socketPath = socketPath
    }

    /// The notifier for this process, or nil when systemd did not ask for notifications.
    public static func fromEnvironment() -> SystemdNotify? {
        guard let value = getenv("NOTIFY_SOCKET") else { return nil }
        return SystemdNotify(socketPath: String(cString: value))
    }

    /// The listeners are bound and serving. MAINPID matters when the process that
    /// systemd started is not the one serving (daemon mode with `NotifyAccess=all`).
    public func ready(mainPID: pid_t = getpid()) throws(ProcessSupportError) {
        try send("READY=1\nSTATUS=Serving\nMAINPID=\(mainPID)\n")
    }

    /// Shutdown has begun; systemd stops expecting the service to run.
    public func stopping() throws(ProcessSupportError) {
        try send("STOPPING=1\nSTATUS=Shutting down\n")
    }

    /// Sends one notification datagram.
    public func send(_ message: String) throws(ProcessSupportError) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket") }
        defer { close(fd) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = Array(socketPath.utf8)
        let abstract = name.first == UInt8(ascii: "@")
        if abstract { name[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            for (i, byte) in name.enumerated() { path[i] = byte }
        }
        // An abstract name is exactly its bytes (no terminator, or it would be part of
        // the name); a path name is NUL-terminated by the zeroed sun_path.
        let length = MemoryLayout<sa_family_t>.size + name.count + (abstract ? 0 : 1)

        var bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                sendto(fd, &bytes, bytes.count, Int32(MSG_NOSIGNAL), sa, socklen_t(length))
            }
        }
        guard sent == bytes.count else { throw .system("sd_notify \(socketPath)") }
    }
}
