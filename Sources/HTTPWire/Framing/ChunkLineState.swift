/// Progress through one chunk-size line, `chunk-size [ chunk-ext ] CRLF` (RFC 9112 §7.1),
/// a byte at a time, so a line split across reads needs no buffering.
struct ChunkLineState: Sendable, Hashable {
    enum Phase: Sendable, Hashable {
        case digits
        /// Blanks after the size or after an extension, before `;` or CR.
        case afterItem
        case extensionNameStart
        case extensionName
        case afterExtensionName
        case extensionValueStart
        case extensionToken
        case quoted
        case quotedEscape
        /// CR seen, LF must follow.
        case lineFeed
    }

    var phase = Phase.digits
    var size: UInt64 = 0
    var digits = 0
    /// Bytes of the line so far, its terminator included.
    var length = 0

    enum Step {
        case more
        case complete(size: UInt64)
        case invalid(String)
    }

    /// Pound's chunk header rules (`get_content_length(CL_CHUNK)` + `eat_chunk_ext`):
    /// hex digits right at the start (no blanks, no `0x`, at most Int64.max), then blanks,
    /// then `;name=value` extensions, value a token or a quoted string.
    /// Differences: a name without `=value` is allowed (RFC 9112; Pound answers 400), and
    /// the line must end in CRLF: the engine forwards chunk framing verbatim, where Pound
    /// rewrote each line with CRLF, and a bare LF is read differently by some backends.
    @inline(__always)
    mutating func step(_ b: UInt8) -> Step {
        switch phase {
        case .digits:
            if let v = ASCII.hexValue(b) {
                guard size <= (UInt64(Int64.max) - UInt64(v)) / 16 else { return .invalid("chunk size too large") }
                size = size &* 16 &+ UInt64(v)
                digits &+= 1
                return .more
            }
            guard digits > 0 else { return .invalid("bad chunk header") }
            return afterItem(b)
        case .afterItem:
            return afterItem(b)
        case .extensionNameStart:
            if ASCII.isBlank(b) { return .more }
            guard ASCII.isTokenChar(b) else { return .invalid("bad chunk extension") }
            phase = .extensionName
            return .more
        case .extensionName:
            if ASCII.isTokenChar(b) { return .more }
            if ASCII.isBlank(b) {
                phase = .afterExtensionName
                return .more
            }
            return afterName(b)
        case .afterExtensionName:
            if ASCII.isBlank(b) { return .more }
            return afterName(b)
        case .extensionValueStart:
            if ASCII.isBlank(b) { return .more }
            if b == ASCII.quote {
                phase = .quoted
                return .more
            }
            guard ASCII.isTokenChar(b) else { return .invalid("bad chunk extension") }
            phase = .extensionToken
            return .more
        case .extensionToken:
            if ASCII.isTokenChar(b) { return .more }
            return afterItem(b)
        case .quoted:
            if b == ASCII.quote {
                phase = .afterItem
                return .more
            }
            if b == ASCII.backslash {
                phase = .quotedEscape
                return .more
            }
            // qdtext: HT, SP, 0x21, 0x23-0x5B, 0x5D-0x7E, obs-text.
            if b == ASCII.tab || (b >= 0x20 && b != 0x7F) { return .more }
            return .invalid("bad chunk extension")
        case .quotedEscape:
            guard b == ASCII.tab || (b >= 0x20 && b != 0x7F) else { return .invalid("bad chunk extension") }
            phase = .quoted
            return .more
        case .lineFeed:
            guard b == ASCII.lf else { return .invalid("CR not followed by LF") }
            return .complete(size: size)
        }
    }

    @inline(__always)
    private mutating func afterItem(_ b: UInt8) -> Step {
        if ASCII.isBlank(b) {
            phase = .afterItem
            return .more
        }
        if b == ASCII.semicolon {
            phase = .extensionNameStart
            return .more
        }
        return endOfLine(b)
    }

    @inline(__always)
    private mutating func afterName(_ b: UInt8) -> Step {
        if b == ASCII.equals {
            phase = .extensionValueStart
            return .more
        }
        if b == ASCII.semicolon {
            phase = .extensionNameStart
            return .more
        }
        return endOfLine(b)
    }

    @inline(__always)
    private mutating func endOfLine(_ b: UInt8) -> Step {
        if b == ASCII.cr {
            phase = .lineFeed
            return .more
        }
        if b == ASCII.lf { return .invalid("chunk header ends in bare LF") }
        return .invalid("bad chunk header")
    }
}
