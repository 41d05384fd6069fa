#if canImport(Glibc)
import Glibc
#endif

/// What `stat` says about a file, enough to tell that it was replaced or written.
struct FileFingerprint: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: timespec
    var changed: timespec

    /// The file's state: present, missing, or not statable (with the errno).
    enum Probe {
        case present(FileFingerprint)
        case missing
        case failed(Int32)
    }

    static func probe(_ path: String) -> Probe {
        var st = Glibc.stat()
        guard statFollowingLinks(path, &st) == 0 else {
            let e = errno
            return e == ENOENT || e == ENOTDIR ? .missing : .failed(e)
        }
        return .present(FileFingerprint(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                                        modified: st.st_mtim, changed: st.st_ctim))
    }

    static func == (a: FileFingerprint, b: FileFingerprint) -> Bool {
        a.device == b.device && a.inode == b.inode && a.size == b.size
            && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
            && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
    }
}

/// `stat(2)` under another name: inside a type the bare name would be ambiguous
/// between the struct and the function.
private func statFollowingLinks(_ path: String, _ st: inout Glibc.stat) -> Int32 {
    stat(path, &st)
}
