#if canImport(Glibc)
import Glibc
#endif

/// A directory relative names are resolved against: the process's working directory
/// (where the top-level file is opened) or the include directory.
public struct WorkDirectory: Sendable, Hashable {
    /// The absolute name, used in diagnostics ("can't stat DIR/FILE: ...").
    public let name: String
    /// True for the working directory: relative names are opened as given.
    public let isCurrent: Bool

    public static func current() -> WorkDirectory {
        WorkDirectory(name: FileSystem.currentDirectory(), isCurrent: true)
    }

    public init(name: String, isCurrent: Bool = false) {
        self.name = name
        self.isCurrent = isCurrent
    }

    /// The path to open for `file`.
    public func resolve(_ file: String) -> String {
        if file.hasPrefix("/") || isCurrent { return file }
        return name + "/" + file
    }

    /// The name Pound shows in messages for `file`.
    public func displayName(_ file: String) -> String {
        file.hasPrefix("/") ? file : name + "/" + file
    }
}

/// Thin POSIX helpers; Foundation is not needed for the config layer.
public enum FileSystem {
    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public struct FileInfo {
        public let device: UInt64
        public let inode: UInt64
        public let isDirectory: Bool
        public let isRegular: Bool
        public let size: Int
    }

    /// `stat(2)`; on failure the errno text.
    public static func fileInfo(_ path: String) -> Result<FileInfo, SystemError> {
        var st = Glibc.stat()
        let rc: Int32 = lstatFollowing(path, &st)
        guard rc == 0 else { return .failure(SystemError(errno: errno)) }
        let mode = st.st_mode & S_IFMT
        return .success(FileInfo(device: UInt64(st.st_dev), inode: UInt64(st.st_ino),
                                 isDirectory: mode == S_IFDIR, isRegular: mode == S_IFREG,
                                 size: Int(st.st_size)))
    }

    public static func readFile(_ path: String) -> Result<[UInt8], SystemError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(SystemError(errno: errno)) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(SystemError(errno: errno))
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return .success(result)
    }

    /// glob(3) with GLOB_ERR|GLOB_MARK, relative names resolved in `directory`.
    /// Returns nil when nothing matches. Names are returned as written relative to `directory`.
    public static func glob(_ pattern: String, in directory: WorkDirectory) -> [String]? {
        let full = directory.resolve(pattern)
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(full, GLOB_ERR | GLOB_MARK, nil, &g) == 0 else { return nil }
        var names: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            guard let p = g.gl_pathv[i] else { continue }
            var name = String(cString: p)
            if !pattern.hasPrefix("/") && !directory.isCurrent && name.hasPrefix(directory.name + "/") {
                name.removeFirst(directory.name.count + 1)
            }
            names.append(name)
        }
        return names
    }
}

/// `stat(2)` under another name: inside `FileSystem` the bare name would be ambiguous
/// between the type and the function.
private func lstatFollowing(_ path: String, _ st: inout Glibc.stat) -> Int32 {
    stat(path, &st)
}

public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public let errno: Int32
    public init(errno: Int32) { self.errno = errno }
    public var description: String { String(cString: strerror(errno)) }
}
