import HTTPWire
import NIOCore
import Routing
#if canImport(Glibc)
import Glibc
#endif

/// `SendFile "dir"` and `ACME "dir"`: a file from a directory as the response
/// (Pound's `file_response`/`acme_response`). Names that are absolute or climb with
/// `..` are 404, as are missing files; the last component is not followed if it is
/// a symbolic link.
enum FileResponder {
    enum Outcome {
        case file([UInt8])
        case status(Int, message: String?)
    }

    /// Pound's `safe_pathname_p`: relative, and no `..` component.
    static func isSafe(_ name: String) -> Bool {
        guard !name.hasPrefix("/") else { return false }
        return !name.split(separator: "/", omittingEmptySubsequences: false).contains("..")
    }

    static func read(_ name: String, in directory: String) -> Outcome {
        guard !name.isEmpty, isSafe(name) else { return .status(404, message: nil) }
        let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .status(404, message: nil) }
            return .status(500, message: "can't open \(name): \(SystemErrorText.text(code))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            return .status(500, message: "can't stat \(name): \(SystemErrorText.text(errno))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .status(404, message: nil) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return .status(500, message: "read error while sending file \(name)") }
            done += n
        }
        return .file(bytes)
    }
}
