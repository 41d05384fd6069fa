import Testing
@testable import HTTPWire

@Suite struct RequestHeadParsingTests {
    static let typical = """
        GET /search?q=pound&lang=en HTTP/1.1\r
        Host: www.example.com\r
        User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r
        Accept: text/html,application/xhtml+xml\r
        Accept-Language: en-US,en;q=0.5\r
        Accept-Encoding: gzip, deflate, br\r
        Connection: keep-alive\r
        Cookie: session=abc123; theme=dark\r
        \r

        """

    @Test func parsesATypicalRequest() throws {
        let result = parseRequest(Self.typical)
        let head = try #require(result.head)
        #expect(head.method == "GET")
        #expect(head.uri == "/search?q=pound&lang=en")
        #expect(head.version == .http1_1)
        #expect(head.headers.count == 7)
        #expect(head.headers.first("host") == "www.example.com")
        #expect(head.headers.first("ACCEPT-ENCODING") == "gzip, deflate, br")
        #expect(head.headers.fields[0].name == "Host")
        #expect(result.headLength == Self.typical.utf8.count)
    }

    @Test func everyPrefixIsIncompleteAndTheWholeHeadCompletes() {
        let all = bytes(Self.typical)
        for k in 0..<all.count {
            let result = HTTPHeadParser.parseRequest(Array(all[0..<k]), limits: RequestLimits())
            #expect(result.isIncomplete, "prefix of \(k) bytes")
        }
        #expect(HTTPHeadParser.parseRequest(all, limits: RequestLimits()).headLength == all.count)
    }

    @Test func headLengthStopsAtTheEmptyLineWithPipelinedDataAfter() throws {
        let first = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n"
        let result = parseRequest(first + "abcGET /b HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(result.headLength == first.utf8.count)
        #expect(result.head?.uri == "/a")
    }

    @Test func secondPipelinedRequestParsesFromItsOffset() throws {
        let stream = bytes("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n")
        let first = HTTPHeadParser.parseRequest(stream, limits: RequestLimits())
        let length = try #require(first.headLength)
        let second = HTTPHeadParser.parseRequest(Array(stream[length...]), limits: RequestLimits())
        #expect(second.head?.uri == "/2")
        #expect(second.headLength == stream.count - length)
    }

    @Test func bareLineFeedsAndMixedEndingsAreAccepted() throws {
        let text = "GET / HTTP/1.0\nHost: h\r\nX-A:  spaced value \t\n\n"
        let result = parseRequest(text)
        let head = try #require(result.head)
        #expect(head.version == .http1_0)
        #expect(head.headers.first("x-a") == "spaced value")
        #expect(result.headLength == text.utf8.count)
    }

    @Test func leadingEmptyLinesAreSkippedAndCounted() {
        let text = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
        let result = parseRequest(text)
        #expect(result.head?.method == "GET")
        #expect(result.headLength == text.utf8.count)
        #expect(parseRequest("\r\n\r\n").isIncomplete)
    }

    @Test func methodsMatchPoundsTableIgnoringCase() {
        #expect(parseRequest("get / HTTP/1.1\r\n\r\n").head?.method == "get")
        #expect(parseRequest("FOO / HTTP/1.1\r\n\r\n").error?.status == 400)
        #expect(PoundMethods.group(of: "PROPFIND") == 2)
        #expect(PoundMethods.group(of: "connect") == 3)
        #expect(PoundMethods.group(of: "BREW") == nil)
    }

    @Test(arguments: [
        (0, "PUT", 405), (1, "PUT", 200), (1, "MKCOL", 405), (2, "MKCOL", 200),
        (2, "BCOPY", 405), (3, "BCOPY", 200), (0, "HEAD", 200),
    ])
    func xHTTPGroupsAnswer405(group: Int, method: String, status: Int) {
        let result = parseRequest("\(method) / HTTP/1.1\r\n\r\n", limits: RequestLimits(allowedMethodGroup: group))
        #expect((result.error?.status ?? 200) == status)
    }

    @Test func runsOfSpacesBetweenThePartsAreAllowed() {
        let head = parseRequest("GET  /a   HTTP/1.1\r\n\r\n").head
        #expect(head?.uri == "/a")
        #expect(head.map { String(decoding: $0.serialized(), as: UTF8.self) } == "GET /a HTTP/1.1\r\n\r\n")
    }

    @Test(arguments: [
        "GET /\r\n\r\n",                     // HTTP/0.9
        "GET / HTTP/2.0\r\n\r\n",
        "GET / HTTP/1.2\r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n",           // trailing space
        " GET / HTTP/1.1\r\n\r\n",           // leading space
        "GET\t/ HTTP/1.1\r\n\r\n",
        "GET /a\tb HTTP/1.1\r\n\r\n",        // tab in target (Pound keeps it; we refuse)
        "GET /a b HTTP/1.1\r\n\r\n",
        "GET HTTP/1.1\r\n\r\n",
        "GET\r\n\r\n",
        "GET /\u{1} HTTP/1.1\r\n\r\n",       // control byte
        "GET / HTTP/1.1\rX\r\n\r\n",         // CR not followed by LF
    ])
    func badRequestLinesAre400(line: String) {
        #expect(parseRequest(line).error?.status == 400)
    }

    @Test func http09RequestLineFailsWithoutWaitingForMoreLines() {
        #expect(parseRequest("GET /\r\n").error?.status == 400)
    }

    @Test func requestLineLongerThanLineBufferSizeIs414() {
        // Pound reads a line into LineBufferSize bytes including the terminator and a NUL.
        let fits = "GET /" + String(repeating: "a", count: 4093 - 14) + " HTTP/1.1\r\n\r\n"
        #expect(parseRequest(fits).head != nil)
        let long = "GET /" + String(repeating: "a", count: 4094 - 14) + " HTTP/1.1\r\n\r\n"
        #expect(parseRequest(long).error?.status == 414)
        // Known before the line ends, so the buffer never has to grow past the limit.
        #expect(parseRequest(String(repeating: "a", count: 5000)).error?.status == 414)
        #expect(parseRequest(String(repeating: "a", count: 4000)).isIncomplete)
    }

    @Test func extremeLineLimitsDoNotOverflow() {
        let huge = RequestLimits(maxLineLength: Int.max)
        #expect(parseRequest("GET / HTTP/1.1\r\nHost: h\r\n\r\n", limits: huge).head != nil)
        #expect(parseRequest("GET / HTTP/1.1\r\nHost: h\r", limits: huge).isIncomplete)
        #expect(parseRequest("GET / HTTP/1.1\r\n\r\n", limits: RequestLimits(maxLineLength: 0)).error?.status == 414)
    }

    @Test func headerLineLongerThanLineBufferSizeIs413() {
        let limits = RequestLimits(maxLineLength: 64)
        let fitsCRLF = "GET / HTTP/1.1\r\nX: " + String(repeating: "b", count: 61 - 3) + "\r\n\r\n"
        #expect(parseRequest(fitsCRLF, limits: limits).head != nil)
        let longCRLF = "GET / HTTP/1.1\r\nX: " + String(repeating: "b", count: 62 - 3) + "\r\n\r\n"
        #expect(parseRequest(longCRLF, limits: limits).error?.status == 413)
        // A bare LF is one byte shorter, so one more character fits (as in Pound).
        let fitsLF = "GET / HTTP/1.1\nX: " + String(repeating: "b", count: 62 - 3) + "\n\n"
        #expect(parseRequest(fitsLF, limits: limits).head != nil)
    }

    @Test func uriLongerThanMaxURIIs414() {
        let limits = RequestLimits(maxURILength: 8)
        #expect(parseRequest("GET /echo/file HTTP/1.1\r\n\r\n", limits: limits).error
            == HTTPWireError(status: 414, reason: "URI too long: 10 bytes"))
        #expect(parseRequest("GET /echo/fi HTTP/1.1\r\n\r\n", limits: limits).head != nil)
        #expect(parseRequest("GET /echo/file HTTP/1.1\r\n\r\n", limits: RequestLimits(maxURILength: 0)).head != nil)
    }

    @Test(arguments: [
        "Host : h",          // blank before the colon
        " folded",           // obs-fold continuation
        "\tfolded",
        "NoColon",
        ": empty-name",
        "Bad Name: v",
        "B@d: v",
    ])
    func malformedHeaderLinesAre400(line: String) {
        let text = "GET / HTTP/1.1\r\nX-First: 1\r\n\(line)\r\n\r\n"
        #expect(parseRequest(text).error?.status == 400)
    }

    @Test func controlBytesInHeaderLinesAre400() {
        #expect(parseRequest("GET / HTTP/1.1\r\nX: a\u{1}b\r\n\r\n").error?.status == 400)
        #expect(parseRequest("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n").error?.status == 400)
        #expect(parseRequest("GET / HTTP/1.1\r\nX: a\u{7F}\r\n\r\n").error?.status == 400)
        #expect(parseRequest("GET / HTTP/1.1\r\nX: tab\there\r\n\r\n").head?.headers.first("x") == "tab\there")
    }

    @Test func emptyValuesAndTokenPunctuationInNamesAreFine() throws {
        let head = try #require(parseRequest("GET / HTTP/1.1\r\nX-Empty:\r\nA!#$%&'*+.^_`|~-z: v\r\n\r\n").head)
        #expect(head.headers.first("x-empty") == "")
        #expect(head.headers.fields[1].name == "A!#$%&'*+.^_`|~-z")
    }

    @Test func tooManyHeadersIs413() {
        let limits = RequestLimits(maxHeaderCount: 2)
        #expect(parseRequest("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits).head != nil)
        #expect(parseRequest("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n", limits: limits).error?.status == 413)
    }

    @Test func nonUTF8BytesDoNotBreakParsing() throws {
        var raw = bytes("GET /caf")
        raw.append(0xE9)
        raw += bytes(" HTTP/1.1\r\nX: \u{00E9}t\u{00E9}\r\n\r\n")
        let result = HTTPHeadParser.parseRequest(raw, limits: RequestLimits())
        #expect(result.headLength == raw.count)
        // The model is String: an invalid octet becomes U+FFFD.
        #expect(result.head?.uri == "/caf\u{FFFD}")
        #expect(result.head?.headers.first("x") == "\u{00E9}t\u{00E9}")
    }
}

@Suite struct LineScanTests {
    /// The scan looks at eight bytes at a time; a bad byte must be caught at any offset.
    @Test func controlBytesAreFoundAtEveryOffset() {
        for offset in 0..<40 {
            for bad: UInt8 in [0x00, 0x01, 0x0B, 0x1F, 0x7F, 0x0D] {
                var value = [UInt8](repeating: 0x61, count: 40)
                value[offset] = bad
                let raw = bytes("GET / HTTP/1.1\r\nX-Long-Header-Name: ") + value + bytes("\r\n\r\n")
                let result = HTTPHeadParser.parseRequest(raw, limits: RequestLimits())
                #expect(result.error?.status == 400, "byte \(bad) at \(offset)")
            }
        }
    }

    @Test func tabsAndHighBytesAreAllowedAtEveryOffset() {
        for offset in 0..<40 {
            for ok: UInt8 in [0x09, 0x80, 0xFF, 0x20, 0x7E] {
                var value = [UInt8](repeating: 0x61, count: 40)
                value[offset] = ok
                let raw = bytes("GET / HTTP/1.1\r\nX-Long-Header-Name: ") + value + bytes("\r\nA: b\r\n\r\n")
                let result = HTTPHeadParser.parseRequest(raw, limits: RequestLimits())
                #expect(result.headLength == raw.count, "byte \(ok) at \(offset)")
                #expect(result.head?.headers.count == 2)
            }
        }
    }
}
