/// LogLevel, LogFormat and HeaderOption, shared by the top level and listeners.
extension LogLevel {
    /// `LogLevel N|"name"` (global or per listener). Numbers index Pound's format table:
    /// 0-5 are the built-in formats, then the `LogFormat`s declared so far. Built-in
    /// formats are returned as `.number`, user formats as `.named`.
    public static func parse(_ p: ConfigParser) throws -> LogLevel {
        let tok = try p.expect([.number, .string])
        if tok.kind == .string {
            if let i = LogFormat.builtIn.firstIndex(where: { $0.name == tok.text }) {
                return .number(i)
            }
            guard p.symbols.logFormats[tok.text] != nil else {
                throw p.fail("undefined format: \(tok.text)")
            }
            return .named(tok.text)
        }
        guard let n = Int32(tok.text) else { throw p.fail("unsupported log level number") }
        if Int(n) < LogFormat.builtIn.count { return .number(Int(n)) }
        guard let user = p.symbols.logFormats.values.first(where: { $0.index == Int(n) }) else {
            throw p.fail("undefined log level")
        }
        return .named(user.name)
    }
}

extension LogFormat {
    /// Pound's format table holds at most this many formats, built-in ones included.
    static let tableSize = 32

    /// The built-in formats, selected by `LogLevel 0`-`5` or by name.
    public static let builtIn: [LogFormat] = {
        let formats: [(String, String)] = [
            ("null", ""),
            ("regular", "%a %r - %>s"),
            ("extended", "%a %r - %>s (%{Host}i/%{service}N -> %{backend}N) %{f}T sec"),
            ("vhost_combined", "%v:%p %a %l %u %t \"%r\" %s %b \"%{Referer}i\" \"%{User-Agent}i\""),
            ("combined", "%a %l %u %t \"%r\" %s %b \"%{Referer}i\" \"%{User-Agent}i\""),
            ("detailed", "%v:%p %a %l %u %t \"%r\" %s %b \"%{Referer}i\" \"%{User-Agent}i\" (%{service}N -> %{backend}N) %{f}T sec"),
        ]
        return formats.enumerated().map { i, f in
            LogFormat(name: f.0, index: i, source: f.1,
                      segments: compile(f.1) { _, _, _ in }.segments ?? [])
        }
    }()

    /// Top-level `LogFormat "name" "format"`.
    public static func statement() -> Statement<[String: LogFormat]> {
        Statement("LogFormat") { p, formats in
            let name = try p.stringValue()
            let fmt = try p.string()
            // Pound reports at the format string's start column plus the offset of the
            // offending character in the (unescaped) format.
            func at(_ offset: Int) -> LocusRange {
                var point = fmt.range.begin
                point.column += offset
                return LocusRange(begin: point, end: point)
            }
            let count = builtIn.count + formats.count
            if builtIn.contains(where: { $0.name == name.self }) || formats[name] != nil {
                throw p.fail("format already defined", at: at(-1))
            }
            if count >= tableSize {
                throw p.fail("format table full", at: at(-1))
            }
            let result = compile(fmt.text) { _, message, offset in
                p.diagnostics.error(message, at: at(offset))
            }
            guard let segments = result.segments, !result.fatal else { throw ConfigFailure() }
            formats[name] = LogFormat(name: name, index: count, source: fmt.text, segments: segments)
            return .ok
        }
    }

    /// Compiles a format the way Pound's log format compiler does, reporting each
    /// problem through `report(fatal, message, byteOffset)`.
    ///
    /// Returns nil segments on a hard error. Otherwise `fatal` tells whether the LAST
    /// problem reported was an error: Pound keeps only the last problem's severity, so an
    /// unknown specifier followed by a mere warning is accepted (after printing both).
    public static func compile(_ format: String,
                               report: (_ fatal: Bool, _ message: String, _ offset: Int) -> Void)
        -> (segments: [LogFormatSegment]?, fatal: Bool) {
        let b = Array(format.utf8)
        let n = b.count
        var segments: [LogFormatSegment] = []
        var fatal = false
        func text(_ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }
        func literal(_ r: Range<Int>) {
            guard !r.isEmpty else { return }
            if case .literal(let prev)? = segments.last {
                segments[segments.count - 1] = .literal(prev + text(r))
            } else {
                segments.append(.literal(text(r)))
            }
        }
        func diag(_ isFatal: Bool, _ message: String, _ offset: Int) {
            report(isFatal, message, offset)
            fatal = isFatal
        }
        var cur = 0
        while cur < n, let pct = b[cur...].firstIndex(of: UInt8(ascii: "%")) {
            literal(cur..<pct)
            var p = pct + 1
            var arg: Range<Int>?
            var statusLine = false
            if p + 1 < n, b[p] == UInt8(ascii: ">"), b[p + 1] == UInt8(ascii: "s") {
                statusLine = true
                p += 1
            } else if p < n, b[p] == UInt8(ascii: "{") {
                guard let q = b[(p + 1)...].firstIndex(of: UInt8(ascii: "}")) else {
                    diag(true, "missing terminating `}'", p)
                    literal(pct..<(p + 1))
                    cur = p + 1
                    continue
                }
                arg = (p + 1)..<q
                p = q + 1
            }
            guard p < n, let spec = Spec(rawValue: b[p]) else {
                diag(true, "unknown format char", p)
                if p >= n { return (segments, fatal) }
                // Pound re-emits the text since the last specifier, up to and including
                // the bad character.
                literal(cur..<(p + 1))
                cur = p + 1
                continue
            }
            let hasArg = arg != nil || statusLine
            switch spec.argument {
            case .none where arg != nil:
                diag(false, "format specifier does not take arguments", p)
                arg = nil
            case .required where !hasArg:
                diag(true, "format specifier requires argument", p)
                return (nil, true)
            default:
                break
            }
            let argText = arg.map(text)
            switch spec {
            case .percent: literal(p..<(p + 1))
            case .clientAddress: segments.append(.clientAddress)
            case .localAddress: segments.append(.localAddress)
            case .bytes: segments.append(.responseSize(clf: false))
            case .bytesCLF: segments.append(.responseSize(clf: true))
            case .micros: segments.append(.processingTime(.microseconds))
            case .remoteHost: segments.append(.remoteAddress)
            case .proto: segments.append(.proto)
            case .header: segments.append(.requestHeader(argText ?? "", clf: false))
            case .headerCLF: segments.append(.requestHeader(argText ?? "", clf: true))
            case .logName: segments.append(.remoteLogName)
            case .objectLocation, .objectName:
                guard let a = argText, let obj = LogFormatSegment.PoundObject(rawValue: a) else {
                    diag(true, "unrecognized Pound object name", arg?.lowerBound ?? p)
                    return (nil, true)
                }
                segments.append(spec == .objectName ? .objectName(obj) : .objectLocation(obj))
            case .method: segments.append(.method)
            case .port: segments.append(.listenerPort)
            case .thread: segments.append(.threadID)
            case .query: segments.append(.query)
            case .request: segments.append(.requestLine)
            case .status: segments.append(.status(fullLine: hasArg))
            case .time: segments.append(timeSegment(argText))
            case .elapsed:
                let units: [String: LogFormatSegment.TimeUnit] = [
                    "s": .seconds, "f": .secondsWithFraction, "ms": .milliseconds, "us": .microseconds,
                ]
                guard let a = argText else {
                    segments.append(.processingTime(.seconds))
                    break
                }
                guard let u = units[a] else {
                    diag(true, "bad process time format", arg?.lowerBound ?? p)
                    return (nil, true)
                }
                segments.append(.processingTime(u))
            case .user: segments.append(.userName)
            case .url: segments.append(.urlPath)
            case .serverName: segments.append(.serverName)
            }
            cur = p + 1
        }
        if cur < n { literal(cur..<n) }
        return (segments, fatal)
    }

    private static func timeSegment(_ arg: String?) -> LogFormatSegment {
        guard var a = arg else { return .time(.common, atEnd: false) }
        var atEnd = false
        if a.hasPrefix("begin:") {
            a.removeFirst(6)
        } else if a.hasPrefix("end:") {
            a.removeFirst(4)
            atEnd = true
        }
        let named: [String: LogFormatSegment.TimeFormat] = [
            "s": .epochSeconds, "msec": .epochMilliseconds, "usec": .epochMicroseconds,
            "msec_frac": .millisecondFraction, "usec_frac": .microsecondFraction,
        ]
        if a.isEmpty { return .time(.common, atEnd: atEnd) }
        return .time(named[a] ?? .strftime(a), atEnd: atEnd)
    }

    /// Format specifier characters.
    private enum Spec: UInt8 {
        case percent = 37 // %
        case clientAddress = 97 // a
        case localAddress = 65 // A
        case bytes = 66 // B
        case bytesCLF = 98 // b
        case micros = 68 // D
        case remoteHost = 104 // h
        case proto = 72 // H
        case header = 105 // i
        case headerCLF = 73 // I
        case logName = 108 // l
        case objectLocation = 76 // L
        case objectName = 78 // N
        case method = 109 // m
        case port = 112 // p
        case thread = 80 // P
        case query = 113 // q
        case request = 114 // r
        case status = 115 // s
        case time = 116 // t
        case elapsed = 84 // T
        case user = 117 // u
        case url = 85 // U
        case serverName = 118 // v

        enum Argument { case none, optional, required }

        var argument: Argument {
            switch self {
            case .header, .headerCLF, .objectLocation, .objectName: .required
            case .status, .time, .elapsed: .optional
            default: .none
            }
        }
    }
}

extension HeaderOptions {
    /// `HeaderOption [no-]forwarded [no-]ssl [no-]all none`, starting from `current`.
    /// Reads to the end of the line (the newline is left for the section loop).
    public static func parse(_ p: ConfigParser, current: HeaderOptions) throws -> HeaderOptions {
        var result = current
        let names: [(String, HeaderOptions)] = [("forwarded", .forwarded), ("ssl", .ssl), ("all", [.forwarded, .ssl])]
        while true {
            let tok = try p.anyToken()
            if tok.kind == .newline {
                p.putBack(tok)
                return result
            }
            guard tok.kind == .identifier || tok.kind == .literal else {
                throw p.fail("unexpected \(tok.kind.description)")
            }
            var name = tok.text.lowercased()
            if name == "none" {
                result = []
                continue
            }
            let negate = name.hasPrefix("no-")
            if negate { name.removeFirst(3) }
            guard let opt = names.first(where: { $0.0 == name })?.1 else {
                throw p.fail("unknown option")
            }
            if negate { result.subtract(opt) } else { result.formUnion(opt) }
        }
    }
}
