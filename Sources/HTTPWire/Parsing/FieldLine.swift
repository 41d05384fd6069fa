/// The pieces of one `name: value` line, as byte offsets into the buffer.
struct FieldLine {
    var nameEnd: Int
    var valueStart: Int
    var valueEnd: Int

    /// Splits the non-empty line `start..<end`. nil when Pound's header pattern
    /// `^([tchar]+):[ \t]*(.*)[ \t]*$` would not match it: a continuation line (obs-fold,
    /// starting with a blank), blanks or other non-token bytes before the colon, no colon.
    @inline(__always)
    static func split(_ p: UnsafeRawBufferPointer, start: Int, end: Int) -> FieldLine? {
        var i = start
        while i < end && ASCII.isTokenChar(p[i]) { i &+= 1 }
        guard i > start, i < end, p[i] == ASCII.colon else { return nil }
        let nameEnd = i
        i &+= 1
        while i < end && ASCII.isBlank(p[i]) { i &+= 1 }
        var e = end
        while e > i && ASCII.isBlank(p[e &- 1]) { e &-= 1 }
        return FieldLine(nameEnd: nameEnd, valueStart: i, valueEnd: e)
    }

    /// The field this line is, as a place in `head` (the bytes it was split in).
    @inline(__always)
    func field(in head: [UInt8], lineStart: Int) -> HTTPHeaderField {
        HTTPHeaderField(head: head, lineStart: lineStart, nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd)
    }
}
