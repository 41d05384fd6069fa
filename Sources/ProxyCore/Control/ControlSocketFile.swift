import PoundConfig
#if canImport(Glibc)
import Glibc
#endif

/// Binds the `Control` UNIX socket before privileges are dropped, as Pound does:
/// an old socket file is removed first, `Mode` applies through the umask while
/// binding, `ChangeOwner` gives the file to the `User`/`Group` pounce runs as.
public enum ControlSocketFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func open(_ control: ControlSocket, owner: uid_t? = nil, group: gid_t? = nil,
                            backlog: Int32 = 512) throws(Failure) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(control.path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { throw Failure(description: "UNIX path name too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path)
            raw[path.count] = 0
        }
        unlink(control.path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw Failure(description: "can't create HTTP socket \(control.path): \(SystemErrorText.text(errno))")
        }
        let oldMask = umask(mode_t(0o777 & ~control.mode))
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + 1)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        let bindError = errno
        umask(oldMask)
        guard bound == 0 else {
            close(fd)
            throw Failure(description: "can't bind HTTP socket to \(control.path): \(SystemErrorText.text(bindError))")
        }
        if control.changeOwner, owner != nil || group != nil {
            // Pound reports a failed chown and goes on.
            _ = chown(control.path, owner ?? uid_t.max, group ?? gid_t.max)
        }
        guard listen(fd, backlog) == 0 else {
            let text = SystemErrorText.text(errno)
            close(fd)
            throw Failure(description: "can't listen on \(control.path): \(text)")
        }
        return fd
    }
}
