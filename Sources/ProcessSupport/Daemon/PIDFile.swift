#if canImport(Glibc)
import Glibc
#endif

/// The PID file (`-p FILE`, `PIDFile`; `-` means none). Pound writes `PID\n` once it is
/// running (after detaching) and removes the file at exit. A file that cannot be
/// created is only a notice (`Create "FILE": ERR`), not a reason to stop.
public struct PIDFile: Sendable {
    public let path: String
    /// When the process will chroot, the directory is opened now so the file can still be
    /// removed from inside the jail (Pound's `unlink_at_exit`).
    private let directory: Int32?
    private let name: String

    /// Writes `pid` (default: this process) to `path`, created with mode 0666 minus the
    /// umask (Pound's fopen; Pound runs with umask 077).
    ///
    /// - Parameter survivingChroot: keep a descriptor of the containing directory so
    ///   `remove()` works after `chroot`. Its errors are Pound's `can't open CWD: ERR` /
    ///   `can't open directory DIR: ERR` (Pound then just does not remove the file).
    public static func write(_ path: String, pid: Int32 = getpid(),
                             survivingChroot: Bool = false) throws(ProcessSupportError) -> PIDFile {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            let code = errno
            throw ProcessSupportError("Create \"\(path)\": \(ProcessSupportError.errorText(code))", code: code)
        }
        let bytes = Array("\(pid)\n".utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let writeError = errno
        close(fd)
        guard written == bytes.count else {
            throw ProcessSupportError("Create \"\(path)\": \(ProcessSupportError.errorText(writeError))", code: writeError)
        }
        guard survivingChroot else { return PIDFile(path: path, directory: nil, name: path) }

        let dir: String
        let name: String
        if let slash = path.lastIndex(of: "/") {
            dir = slash == path.startIndex ? "/" : String(path[..<slash])
            name = String(path[path.index(after: slash)...])
        } else {
            dir = "."
            name = path
        }
        let dfd = open(dir, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else {
            throw .system(dir == "." ? "can't open CWD" : "can't open directory \(dir)")
        }
        return PIDFile(path: path, directory: dfd, name: name)
    }

    /// Removes the file. Error: Pound's `can't remove file FILE: ERR` (a notice).
    public func remove() throws(ProcessSupportError) {
        let rc: Int32
        if let directory {
            rc = unlinkat(directory, name, 0)
            let code = errno
            close(directory)
            errno = code
        } else {
            rc = unlink(path)
        }
        guard rc == 0 else { throw .system("can't remove file \(path)") }
    }
}
