/// A string with Pound 4.23 expansions: back-references to earlier matches (`$N`,
/// `${N}`, `$N(M)`, `$N(tag)`, and `%N` = `$N(1)` kept for 4.4–4.5 compatibility),
/// request accessors (`%[url]`, `%[path]`, `%[query]`, `%[param NAME]`,
/// `%[header NAME]`, `%[host]`, `%[port]`, `%[remoteip ARG]`, `%[user]`,
/// `%[const NAME [none|url|base64]]`), `$$` for `$`, and `%XX` hex escapes kept as
/// they are.
///
/// The text is parsed once; expansion only copies bytes. Pound parses at every
/// expansion and reports syntax errors then (the expansion fails, so a condition
/// using it fails the request with 500); such errors are kept here as failing
/// segments so the run-time outcome and warnings stay Pound's.
///
/// Pound quirks kept: `$%` gives `$` (its manual says `%`); `%%` and a `$`/`%`
/// followed by anything else is an "unescaped %" error; an unknown or malformed
/// `%[...]` accessor is copied verbatim (`init(_:)` rejects those instead, see
/// `UnknownAccessorPolicy`).
public struct Template: Sendable {
    public let source: String
    let segments: [Segment]
    /// The text when there is nothing to expand (most TBF keys are not).
    private let literalText: String?

    enum Segment: Sendable {
        case literal([UInt8])
        case accessor(TemplateAccessor)
        /// A back-reference; `group` nil for a number Pound can never resolve
        /// (e.g. `${-1}`); `text` is the reference as written, for warnings.
        case reference(group: Int?, match: MatchReference, text: String)
        /// A syntax error found while parsing; the expansion fails with `message`.
        case failure(String)
    }

    enum MatchReference: Sendable, Equatable {
        /// The n-th most recent match (0 = the last).
        case recent(Int)
        case tag(String)
    }

    /// What to do with `%[...]` that is not a known accessor.
    public enum UnknownAccessorPolicy: Sendable {
        /// Throw `TemplateError.unknownAccessor`.
        case reject
        /// Copy it to the output unchanged, as Pound 4.23 does (it accepts such
        /// configurations without a word).
        case literal
    }

    /// Parses `source`, rejecting unknown accessors.
    public init(_ source: String) throws {
        try self.init(source, unknownAccessors: .reject)
    }

    public init(_ source: String, unknownAccessors: UnknownAccessorPolicy) throws {
        self.source = source
        let segments = try Self.parse(Array(source.utf8), source: source, policy: unknownAccessors)
        self.segments = segments
        switch segments.first {
        case nil where segments.isEmpty:
            literalText = ""
        case .literal(let bytes)? where segments.count == 1:
            literalText = String(decoding: bytes, as: UTF8.self)
        default:
            literalText = nil
        }
    }

    /// True when the template has no expansions at all.
    public var isLiteral: Bool { literalText != nil }

    /// The expansion for `request`. When a reference cannot be resolved its text is
    /// left in place (Pound would fail the expansion; use `expansion(_:what:)` to
    /// know).
    public func expand(_ request: RoutingRequest) -> String {
        expansion(request, what: "template").text
    }

    /// The outcome of expanding `request`: the text, and the warnings Pound would
    /// log. When there are errors Pound discards the text and fails the operation
    /// (a condition evaluates to "error", the request gets 500).
    public func expansion(_ request: RoutingRequest, what: String) -> TemplateExpansion {
        if let literalText { return TemplateExpansion(text: literalText, errors: [], warnings: []) }
        var out: [UInt8] = []
        var errors: [String] = []
        var warnings: [String] = []
        for segment in segments {
            switch segment {
            case .literal(let bytes):
                out.append(contentsOf: bytes)
            case .accessor(let accessor):
                accessor.append(request, to: &out, warnings: &warnings)
            case .reference(let group, let match, let text):
                if let bytes = Self.resolve(group: group, match: match, in: request.captures) {
                    out.append(contentsOf: bytes)
                } else {
                    out.append(contentsOf: text.utf8)
                    errors.append("\(what) \"\(source)\" refers to non-existing group \(text)")
                }
            case .failure(let message):
                errors.append("\(what) \"\(source)\"\(message)")
            }
        }
        return TemplateExpansion(text: String(decoding: out, as: UTF8.self), errors: errors, warnings: warnings)
    }

    private static func resolve(group: Int?, match: MatchReference, in captures: CaptureQueue) -> ArraySlice<UInt8>? {
        guard let group else { return nil }
        let position: Int?
        switch match {
        case .recent(let n): position = n
        case .tag(let t): position = captures.position(ofTag: t.utf8)
        }
        guard let position, let capture = captures.recent(position) else { return nil }
        return capture.group(group)
    }

    // MARK: Parsing (Pound's expand_string_to_buffer, minus the request)

    private static func parse(_ s: [UInt8], source: String, policy: UnknownAccessorPolicy) throws -> [Segment] {
        var segments: [Segment] = []
        var literal: [UInt8] = []
        func flush() {
            if !literal.isEmpty { segments.append(.literal(literal)); literal = [] }
        }
        func fail(_ message: String) {
            flush()
            segments.append(.failure(message))
        }
        func at(_ i: Int) -> UInt8 { i < s.count ? s[i] : 0 }
        func text(_ r: Range<Int>) -> String { String(decoding: s[r], as: UTF8.self) }

        var i = 0
        while i < s.count {
            let c0 = s[i]
            guard c0 == UInt8(ascii: "$") || c0 == UInt8(ascii: "%") else {
                literal.append(c0)
                i += 1
                continue
            }
            let c1 = at(i + 1)
            if (c0 == UInt8(ascii: "$") && (c1 == UInt8(ascii: "$") || c1 == UInt8(ascii: "%"))) || c1 == 0 {
                // Pound emits the first character, so "$%" gives "$".
                literal.append(c0)
                i += 2
            } else if c0 == UInt8(ascii: "%"), ASCII.hexValue(c1) != nil, ASCII.hexValue(at(i + 2)) != nil {
                literal.append(contentsOf: s[i..<i + 3])
                i += 3
            } else if c0 == UInt8(ascii: "%"), c1 == UInt8(ascii: "[") {
                guard let close = s[(i + 2)...].firstIndex(of: UInt8(ascii: "]")) else {
                    fail(": unclosed %[ at offset \(i)")
                    i += 2
                    continue
                }
                if let accessor = TemplateAccessor.parse(s[(i + 2)..<close]),
                   policy == .literal || !accessor.isMalformed {
                    flush()
                    segments.append(.accessor(accessor))
                } else {
                    if policy == .reject {
                        throw TemplateError.unknownAccessor(template: source, accessor: text(i..<close + 1))
                    }
                    literal.append(contentsOf: s[i...close])
                }
                i = close + 1
            } else if c1 == UInt8(ascii: "{") || ASCII.isDigit(c1) {
                let brace = c1 == UInt8(ascii: "{")
                // strtoul: leading white space, an optional sign, digits.
                var p = i + 1 + (brace ? 1 : 0)
                var negative = false
                var q = p
                while q < s.count, ASCII.isSpace(s[q]) { q += 1 }
                if q < s.count, s[q] == UInt8(ascii: "+") || s[q] == UInt8(ascii: "-") {
                    negative = s[q] == UInt8(ascii: "-")
                    q += 1
                }
                var value = 0
                var overflow = false
                let digitsStart = q
                while q < s.count, ASCII.isDigit(s[q]) {
                    let (m, o1) = value.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(Int(s[q] - 0x30))
                    overflow = overflow || o1 || o2
                    value = a
                    q += 1
                }
                if q > digitsStart { p = q }
                if overflow {
                    // ERANGE: Pound copies the two characters and goes on.
                    literal.append(contentsOf: s[i..<i + 2])
                    i += 2
                    continue
                }
                let group: Int? = negative && value != 0 ? nil : value
                var match = MatchReference.recent(c0 == UInt8(ascii: "$") ? 0 : 1)
                if c0 == UInt8(ascii: "$"), at(p) == UInt8(ascii: "(") {
                    p += 1
                    var len = 0
                    while p + len < s.count, s[p + len] != UInt8(ascii: "("), s[p + len] != UInt8(ascii: ")") { len += 1 }
                    guard at(p + len) == UInt8(ascii: ")") else {
                        fail(": missing closing parenthesis in reference started at offset \(i + 1)")
                        i = p + len
                        continue
                    }
                    if ASCII.isDigit(s[p]) {
                        var n = 0
                        var big = false
                        while p < s.count, ASCII.isDigit(s[p]) {
                            let (m, o1) = n.multipliedReportingOverflow(by: 10)
                            let (a, o2) = m.addingReportingOverflow(Int(s[p] - 0x30))
                            big = big || o1 || o2
                            n = a
                            p += 1
                        }
                        if big || at(p) != UInt8(ascii: ")") {
                            fail(": invalid reference number at offset \(p + 1)")
                            i = p
                            continue
                        }
                        if n >= CaptureQueue.capacity {
                            fail(" refers to non-existing group \(text(i..<p + 1))")
                            i = p
                            continue
                        }
                        match = .recent(n)
                    } else {
                        match = .tag(text(p..<p + len))
                        p += len
                    }
                    p += 1
                }
                if brace {
                    guard at(p) == UInt8(ascii: "}") else {
                        fail(": missing closing brace in reference started at offset \(i + 1)")
                        i = p
                        continue
                    }
                    p += 1
                }
                flush()
                segments.append(.reference(group: group, match: match, text: text(i..<p)))
                i = p
            } else {
                fail(": unescaped % character at offset \(i + 1)")
                literal.append(c0)
                i += 1
            }
        }
        flush()
        return segments
    }
}
