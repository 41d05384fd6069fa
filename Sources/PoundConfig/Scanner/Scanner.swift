/// Pound's configuration scanner: a stack of open files (for `Include`), each with
/// its own put-back tokens, producing the tokens and locations Pound 4.23 produces.
public final class Scanner {
    private var inputs: [SourceFile] = []
    /// Pending glob expansions of `Include`, each with the directory it was expanded in.
    private var globs: [(directory: WorkDirectory, names: [String])] = []
    let diagnostics: Diagnostics
    /// Base for relative `Include`/file names; nil means the working directory.
    public var includeDirectory: String?
    private var openedIncludeDirectory: WorkDirectory?

    public init(diagnostics: Diagnostics, includeDirectory: String?) {
        self.diagnostics = diagnostics
        self.includeDirectory = includeDirectory
    }

    /// The location of the last token read (Pound's `last_token_locus_range`); nil once
    /// every file is finished.
    public var lastTokenRange: LocusRange? {
        inputs.last?.current.range
    }

    public var hasOpenInput: Bool { !inputs.isEmpty }

    // MARK: - Files

    /// Opens the top-level file relative to the working directory.
    public func openTopLevel(_ file: String) throws {
        try push(file, in: .current())
    }

    /// The include directory, opened on first use. Pound reports a missing one at the
    /// statement that needed it.
    public func includeWorkDirectory(at range: LocusRange?) throws -> WorkDirectory {
        if let d = openedIncludeDirectory { return d }
        guard let dir = includeDirectory else {
            let d = WorkDirectory.current()
            openedIncludeDirectory = d
            return d
        }
        switch FileSystem.fileInfo(dir) {
        case .success(let info) where info.isDirectory:
            let d = WorkDirectory(name: dir)
            openedIncludeDirectory = d
            return d
        case .success:
            diagnostics.error("can't open include directory \(dir): \(SystemError(errno: ENOTDIR))", at: range)
        case .failure(let e):
            diagnostics.error("can't open include directory \(dir): \(e)", at: range)
        }
        throw ConfigFailure()
    }

    /// `IncludeDir`: replaces the include directory from here on.
    public func setIncludeDirectory(_ dir: String, at range: LocusRange?) throws {
        switch FileSystem.fileInfo(dir) {
        case .success(let info) where info.isDirectory:
            includeDirectory = dir
            openedIncludeDirectory = WorkDirectory(name: dir)
        case .success:
            diagnostics.error("can't open directory \(dir): \(SystemError(errno: ENOTDIR))", at: range)
            throw ConfigFailure()
        case .failure(let e):
            diagnostics.error("can't open directory \(dir): \(e)", at: range)
            throw ConfigFailure()
        }
    }

    /// `Include "file-or-glob"`: continue reading from that file (or from each match).
    public func include(_ name: String, at range: LocusRange) throws {
        let dir = try includeWorkDirectory(at: range)
        try push(name, in: dir)
    }

    private func push(_ name: String, in dir: WorkDirectory) throws {
        let info: FileSystem.FileInfo
        switch FileSystem.fileInfo(dir.resolve(name)) {
        case .success(let i):
            info = i
        case .failure(let e):
            if e.errno == ENOENT, let matches = FileSystem.glob(name, in: dir) {
                let files = matches.filter { !$0.hasSuffix("/") }
                if let first = files.first {
                    globs.append((dir, Array(files.dropFirst())))
                    try push(first, in: dir)
                    return
                }
            }
            diagnostics.error("can't stat \(dir.isCurrent && !name.hasPrefix("/") ? dir.name + "/" + name : dir.displayName(name)): \(e)", at: lastTokenRange)
            throw ConfigFailure()
        }
        if let idx = inputs.firstIndex(where: { $0.device == info.device && $0.inode == info.inode }) {
            if idx > 0 {
                diagnostics.error("\(name) already included", at: lastTokenRange)
                diagnostics.error("here is the location of original inclusion",
                                  at: LocusRange(begin: inputs[idx - 1].locus))
            } else {
                diagnostics.error("\(name) already included (at top level)", at: lastTokenRange)
            }
            throw ConfigFailure()
        }
        let bytes: [UInt8]
        switch FileSystem.readFile(dir.resolve(name)) {
        case .success(let b): bytes = b
        case .failure(let e):
            diagnostics.error("can't open \(name): \(e)", at: lastTokenRange)
            throw ConfigFailure()
        }
        let display = dir.isCurrent ? name : dir.displayName(name)
        inputs.append(SourceFile(bytes: bytes, name: display, device: info.device, inode: info.inode))
    }

    /// Finishes the innermost file and continues with the next glob match, if any.
    private func popInput() {
        inputs.removeLast()
        while var pending = globs.last {
            if pending.names.isEmpty {
                globs.removeLast()
                continue
            }
            let next = pending.names.removeFirst()
            globs[globs.count - 1] = pending
            // A vanished match is reported and skipped, as Pound does.
            try? push(next, in: pending.directory)
            return
        }
    }

    // MARK: - Tokens

    /// The next token; `.endOfFile` only when every file is finished.
    public func next() -> Token {
        while !inputs.isEmpty {
            let t = scanToken(&inputs[inputs.count - 1])
            if t.kind != .endOfFile { return t }
            popInput()
        }
        return Token(kind: .endOfFile, range: .unset)
    }

    /// Pushes `token` back so the next `next()` returns it again.
    public func putBack(_ token: Token) {
        guard !inputs.isEmpty else { return }
        inputs[inputs.count - 1].putback.append(token)
    }

    private func scanToken(_ input: inout SourceFile) -> Token {
        if let t = input.putback.popLast() {
            input.current = t
            return t
        }
        var token = input.current
        var text: [UInt8] = []
        scan: while true {
            var c = input.getc()
            if c == SourceFile.eof {
                token.kind = .endOfFile
                break
            }
            if c == Int(UInt8(ascii: "#")) {
                repeat {
                    c = input.getc()
                    if c == SourceFile.eof {
                        token.kind = .endOfFile
                        break scan
                    }
                } while c != Int(UInt8(ascii: "\n"))
            }
            if c == Int(UInt8(ascii: "\n")) {
                token.range.begin = LocusPoint(file: input.locus.file, line: input.locus.line - 1,
                                               column: input.previousColumn)
                token.kind = .newline
                break
            }
            if CharClass.isSpace(c) { continue }

            token.range.begin = input.locus
            if c == Int(UInt8(ascii: "\"")) {
                while true {
                    c = input.getc()
                    if c == Int(UInt8(ascii: "\"")) { break }
                    if c == SourceFile.eof {
                        // Pound loops forever here; we report it like an escaped EOF.
                        diagnostics.error("end of file in quoted string", at: LocusRange(begin: input.locus))
                        token.kind = .error
                        break scan
                    }
                    if c == Int(UInt8(ascii: "\\")) {
                        c = input.getc()
                        switch c {
                        case Int(UInt8(ascii: "\"")), Int(UInt8(ascii: "\\")):
                            break
                        case SourceFile.eof:
                            diagnostics.error("end of file in quoted string", at: LocusRange(begin: input.locus))
                            token.kind = .error
                            break scan
                        case Int(UInt8(ascii: "\n")):
                            diagnostics.error("end of line in quoted string", at: LocusRange(begin: input.locus))
                            token.kind = .error
                            break scan
                        default:
                            // Pound reports it without a "warning:" prefix and goes on.
                            diagnostics.note("unrecognized escape character", at: LocusRange(begin: input.locus))
                        }
                    }
                    text.append(UInt8(truncatingIfNeeded: c))
                }
                token.kind = .string
                break
            }

            if CharClass.isIdentStart(c) {
                repeat {
                    text.append(UInt8(truncatingIfNeeded: c))
                    c = input.getc()
                } while c != SourceFile.eof && CharClass.isIdentContinue(c)
                if c == SourceFile.eof || CharClass.isSpace(c) {
                    input.ungetc(c)
                    token.kind = .identifier
                    break
                }
                // Identifier characters followed by others: a literal.
            }
            token.kind = CharClass.isDigit(c) ? .number : .literal
            repeat {
                text.append(UInt8(truncatingIfNeeded: c))
                if !CharClass.isDigit(c) { token.kind = .literal }
                c = input.getc()
            } while c != SourceFile.eof && !CharClass.isSpace(c)
            input.ungetc(c)
            break
        }
        token.text = String(decoding: text, as: UTF8.self)
        token.range.end = input.locus
        input.current = token
        return token
    }

    /// Reads raw lines up to a line holding only `End` (case-insensitive), for blocks
    /// whose body is not Pound syntax (`ConfigText`, Lua). Put-back tokens come first.
    public func readToEnd() throws -> String {
        guard !inputs.isEmpty else {
            diagnostics.error("unexpected end of file", at: nil)
            throw ConfigFailure()
        }
        var input = inputs.removeLast()
        defer { inputs.append(input) }
        let begin = input.locus
        var buffer: [UInt8] = []
        while let t = input.putback.popLast() {
            buffer.append(contentsOf: Array(t.text.utf8))
            if !input.putback.isEmpty { buffer.append(32) }
        }
        var lineStart = buffer.count
        while true {
            let c = input.getc()
            if c == SourceFile.eof {
                diagnostics.error("unexpected end of file", at: LocusRange(begin: begin, end: input.locus))
                throw ConfigFailure()
            }
            if c == Int(UInt8(ascii: "\n")) {
                let line = buffer[lineStart...]
                let trimmed = line.drop { CharClass.isSpace(Int($0)) }.reversed().drop { CharClass.isSpace(Int($0)) }
                if trimmed.count == 3 && String(decoding: trimmed.reversed(), as: UTF8.self).lowercased() == "end" {
                    buffer.removeSubrange(lineStart...)
                    break
                }
                buffer.append(UInt8(c))
                lineStart = buffer.count
                continue
            }
            buffer.append(UInt8(truncatingIfNeeded: c))
        }
        return String(decoding: buffer, as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#endif
