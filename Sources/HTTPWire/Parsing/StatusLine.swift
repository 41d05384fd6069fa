/// A status line checked as Pound's `http_response_validate` checks it.
struct StatusLine {
    var version: HTTPVersion
    var status: Int
    var reasonStart: Int
    var reasonEnd: Int

    static func parse(_ p: UnsafeRawBufferPointer, start: Int, end: Int) -> StatusLine? {
        var i = start
        guard end &- i >= 9,
              p[i] == 0x48, p[i &+ 1] == 0x54, p[i &+ 2] == 0x54, p[i &+ 3] == 0x50, // HTTP
              p[i &+ 4] == 0x2F, p[i &+ 5] == 0x31, p[i &+ 6] == 0x2E,               // /1.
              p[i &+ 7] == 0x30 || p[i &+ 7] == 0x31,
              ASCII.isBlank(p[i &+ 8])
        else { return nil }
        let version: HTTPVersion = p[i &+ 7] == 0x31 ? .http1_1 : .http1_0
        i &+= 9
        while i < end && ASCII.isBlank(p[i]) { i &+= 1 }
        guard end &- i >= 3 else { return nil }
        let d0 = p[i] &- 0x30, d1 = p[i &+ 1] &- 0x30, d2 = p[i &+ 2] &- 0x30
        guard d0 >= 1, d0 <= 5, d1 <= 9, d2 <= 9 else { return nil }
        i &+= 3
        guard i == end || ASCII.isBlank(p[i]) else { return nil }
        while i < end && ASCII.isBlank(p[i]) { i &+= 1 }
        var e = end
        while e > i && ASCII.isBlank(p[e &- 1]) { e &-= 1 }
        return StatusLine(
            version: version,
            status: Int(d0) * 100 + Int(d1) * 10 + Int(d2),
            reasonStart: i,
            reasonEnd: e
        )
    }
}
