/// A custom error response read from a file (`Error NNN "file"`, a listener's
/// `ErrorFile NNN "file"` or `ErrNNN "file"`).
///
/// As in Pound, the file may begin with HTTP header lines followed by an empty line;
/// those headers are added to the response and the rest is the body. A file whose
/// first lines are not all valid headers is entirely body.
public struct ErrorPage: Sendable, Hashable {
    /// The HTTP status this page answers.
    public var status: Int
    /// The file name as written.
    public var file: String
    /// Header lines (`Name: value`), later duplicates replacing earlier ones.
    public var headers: [String]
    public var body: String
    public var range: LocusRange

    public init(status: Int, file: String, headers: [String] = [], body: String, range: LocusRange = .unset) {
        self.status = status
        self.file = file
        self.headers = headers
        self.body = body
        self.range = range
    }

    /// The statuses Pound can answer with its own pages (`Error`, `ErrorFile`).
    public static let supportedStatuses: Set<Int> = [200, 400, 401, 403, 404, 405, 413, 414, 429, 500, 501, 503]

    /// Reads `"file"` (the next token, a quoted string) as the page for `status`, with
    /// Pound's diagnostics (`parse_http_errmsg`). The caller validates `status`; the file
    /// is resolved against the include directory. For listeners' `ErrorFile`/`ErrNNN`.
    public static func parse(_ p: ConfigParser, status: Int) throws -> ErrorPage {
        let tok = try p.string()
        let text = try slurp(p, tok)
        let (headers, body) = split(text)
        return ErrorPage(status: status, file: tok.text, headers: headers, body: body, range: tok.range)
    }

    /// A status number token validated against `supportedStatuses`
    /// ("unsupported status code"), as `Error` and `ErrorFile` read it.
    public static func parseStatus(_ p: ConfigParser) throws -> Int {
        let tok = try p.expect(.number)
        guard let n = Int(tok.text.prefix(18)), supportedStatuses.contains(n) else {
            throw p.fail("unsupported status code")
        }
        return n
    }

    /// The whole file as text (Pound's `slurp`), with its messages.
    static func slurp(_ p: ConfigParser, _ tok: Token) throws -> String {
        let wd = try p.scanner.includeWorkDirectory(at: tok.range)
        let path = wd.resolve(tok.text)
        let bytes: [UInt8]
        switch FileSystem.fileInfo(path) {
        case .failure(let e):
            throw p.fail("can't open \(wd.displayName(tok.text)): \(e)", at: tok.range)
        case .success(let info):
            if !info.isRegular { throw p.fail("\(tok.text): not a regular file", at: tok.range) }
            if info.size == 0 { throw p.fail("\(tok.text): empty file", at: tok.range) }
            switch FileSystem.readFile(path) {
            case .failure(let e):
                throw p.fail("can't open \(wd.displayName(tok.text)): \(e)", at: tok.range)
            case .success(let b):
                bytes = b
            }
        }
        // Pound keeps the text as a C string: it ends at the first NUL.
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// Splits leading header lines from the body, as Pound does: lines up to the first
    /// empty one must all look like headers, otherwise the whole text is the body. The
    /// one character ending the headers (the empty line's first, CR or LF) is dropped,
    /// so a CRLF blank line leaves its LF at the start of the body, as in Pound.
    ///
    /// Text made only of header lines (no empty line) is undefined in Pound (it reads
    /// past the end of the text); here it yields those headers and an empty body.
    static func split(_ text: String) -> (headers: [String], body: String) {
        let bytes = Array(text.utf8)
        var headers: [(name: String, line: String)] = []
        var i = 0
        while i < bytes.count {
            var j = i
            while j < bytes.count && bytes[j] != 13 && bytes[j] != 10 { j += 1 }
            if j == i { break }
            let line = String(decoding: bytes[i..<j], as: UTF8.self)
            guard let name = headerName(bytes[i..<j]) else { return ([], text) }
            if let k = headers.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
                headers[k] = (name, line)
            } else {
                headers.append((name, line))
            }
            i = j
            if i < bytes.count && bytes[i] == 13 { i += 1 }
            if i < bytes.count && bytes[i] == 10 { i += 1 }
        }
        if i == 0 { return ([], text) }
        let bodyStart = min(i + 1, bytes.count)
        return (headers.map(\.line), String(decoding: bytes[bodyStart...], as: UTF8.self))
    }

    /// The header name if `line` is `TOKEN:...` (Pound's header pattern).
    static func headerName(_ line: ArraySlice<UInt8>) -> String? {
        let tokenChars = Set("!#$%&'*+.^_`|~-".utf8)
        var k = line.startIndex
        while k < line.endIndex {
            let c = line[k]
            let isAlnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
            if !(isAlnum || tokenChars.contains(c)) { break }
            k += 1
        }
        guard k > line.startIndex, k < line.endIndex, line[k] == 58 else { return nil }
        return String(decoding: line[line.startIndex..<k], as: UTF8.self)
    }
}
