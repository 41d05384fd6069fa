#if canImport(Glibc)
import Glibc
#endif

/// A file named by a `-file`/`-filewatch` option (pattern lists, ACLs, constants,
/// htpasswd), resolved the way Pound's `filename_split_wd` does: relative names are
/// looked up in the include directory, and diagnostics name the file as
/// `DIRECTORY/NAME`.
struct ConfigFileSource {
    /// The name as written.
    let name: String
    /// What to open.
    let path: String
    /// The name Pound prints in per-line diagnostics and watcher messages.
    let displayName: String
    let watch: Bool

    init(_ p: ConfigParser, name: String, watch: Bool) throws {
        self.name = name
        self.watch = watch
        if name.hasPrefix("/") {
            path = name
            displayName = name
        } else {
            let wd = try p.scanner.includeWorkDirectory(at: p.lastRange)
            path = wd.resolve(name)
            displayName = wd.displayName(name)
        }
    }

    /// The model's record of the file; `range` is the statement watcher messages cite.
    func watchedFile(range: LocusRange?) -> WatchedFile {
        WatchedFile(name: name, path: path, watch: watch, displayName: displayName, range: range)
    }

    /// Pound's message for a file that a non-watched option could not open.
    static func openFailure(_ p: ConfigParser, _ name: String, _ error: SystemError) -> ConfigFailure {
        if error.errno == ENOENT { return p.fail("file \(name) does not exist") }
        return p.fail("can't open \(name): \(error)")
    }

    /// The watcher's notice for a watched file that does not exist yet: not an error,
    /// the object starts empty and is filled when the file appears.
    func noteMissing(_ p: ConfigParser, at range: LocusRange?) {
        p.diagnostics.note("\(displayName): file does not exist", at: range)
    }

    /// The watcher's message for a watched file that exists but can't be read.
    func watchOpenFailure(_ p: ConfigParser, _ error: SystemError, at range: LocusRange?) -> ConfigFailure {
        p.fail("\(displayName): can't open file: \(error)", at: range)
    }

    /// Pound's `c_trimws`: strips ASCII whitespace at both ends.
    static func trimmed(_ s: Substring) -> Substring {
        let ws: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        var t = s
        while let f = t.first, ws(f) { t.removeFirst() }
        while let l = t.last, ws(l) { t.removeLast() }
        return t
    }
}

/// Pound's `get_file_option`: any of `-forwarded`, `-file NAME`, `-filewatch NAME`,
/// `-trim`, restricted to those the statement supports.
struct FileOptions {
    var file: String?
    var watch = false
    var forwarded = false
    var trim = false

    static func parse(_ p: ConfigParser, allowForwarded: Bool = false, allowTrim: Bool = false) throws -> FileOptions {
        var result = FileOptions()
        let table: [(name: String, takesArgument: Bool)] = [
            ("forwarded", false), ("file", true), ("filewatch", true), ("trim", false),
        ]
        while let (name, arg) = try p.option(table) {
            switch name {
            case "forwarded":
                guard allowForwarded else { throw p.fail("unsupported option: -\(name)") }
                result.forwarded = true
            case "trim":
                guard allowTrim else { throw p.fail("unsupported option: -\(name)") }
                result.trim = true
            case "file":
                result.file = arg
            default:
                result.file = arg
                result.watch = true
            }
        }
        return result
    }
}
