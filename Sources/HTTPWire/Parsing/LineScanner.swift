/// Finds the end of one line the way Pound's `get_line` reads it: CRLF or a bare LF ends
/// it, CR followed by anything else and every other control byte but HT are bad data, and
/// the line with its terminator must fit in `maxLineLength - 1` bytes.
enum LineScanner {
    enum Outcome {
        /// The line's text is `start..<contentEnd`; the next line starts at `next`.
        case line(contentEnd: Int, next: Int)
        case incomplete
        case tooLong
        case badData(String)
    }

    @inline(__always)
    static func scan(_ p: UnsafeRawBufferPointer, from start: Int, maxLineLength: Int) -> Outcome {
        // Pound's buffer holds the line, its terminator and a NUL; an empty line must fit.
        let allowed = maxLineLength > 3 ? maxLineLength &- 1 : 2
        let n = p.count
        // Past the buffer's end when the line may still grow (also keeps huge limits from overflowing).
        let limit = n &- start < allowed ? n &+ 1 : start &+ allowed
        let bound = min(n, limit)
        var i = start
        while true {
            // Eight bytes at a time while none of them is a control byte (HT included:
            // it is rare, and the byte loop below handles it).
            while i &+ 8 <= bound {
                if SWAR.hasControlByte(p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { break }
                i &+= 8
            }
            guard i < bound else { break }
            let b = p[i]
            if b >= 0x20 {
                if b != 0x7F {
                    i &+= 1
                    continue
                }
                return .badData("control character in line")
            }
            if b == ASCII.tab {
                i &+= 1
                continue
            }
            if b == ASCII.lf {
                return .line(contentEnd: i, next: i &+ 1)
            }
            if b == ASCII.cr {
                if i &+ 1 >= limit { return .tooLong }
                if i &+ 1 >= n { return .incomplete }
                if p[i &+ 1] == ASCII.lf { return .line(contentEnd: i, next: i &+ 2) }
                return .badData("CR not followed by LF")
            }
            return .badData("control character in line")
        }
        return limit <= n ? .tooLong : .incomplete
    }

    /// The end of a line already validated by `scan`: only looks for LF.
    @inline(__always)
    static func knownLineEnd(_ p: UnsafeRawBufferPointer, from start: Int) -> (contentEnd: Int, next: Int) {
        var i = start
        let n = p.count
        while i &+ 8 <= n && !SWAR.hasByte(p.loadUnaligned(fromByteOffset: i, as: UInt64.self), ASCII.lf) {
            i &+= 8
        }
        while i < n && p[i] != ASCII.lf { i &+= 1 }
        let contentEnd = (i > start && p[i &- 1] == ASCII.cr) ? i &- 1 : i
        return (contentEnd, min(i &+ 1, n))
    }
}
