import Testing
@testable import HTTPWire

@Suite struct ResponseHeadParsingTests {
    @Test func parsesAStatusLineAndHeaders() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
        let result = parseResponse(text)
        let head = try #require(result.head)
        #expect(head.version == .http1_1)
        #expect(head.status == 200)
        #expect(head.reason == "OK")
        #expect(head.headers.first("content-length") == "5")
        #expect(result.headLength == text.utf8.count - 5)
    }

    @Test func reasonMayBeEmptyOrHaveSpaces() {
        #expect(parseResponse("HTTP/1.0 204\r\n\r\n").head?.reason == "")
        #expect(parseResponse("HTTP/1.1 404 Not  Found \r\n\r\n").head?.reason == "Not  Found")
        #expect(parseResponse("HTTP/1.1\t301\tMoved\r\n\r\n").head?.status == 301)
    }

    @Test(arguments: [
        "HTTP/1.1 99 Low\r\n\r\n",
        "HTTP/1.1 600 High\r\n\r\n",
        "HTTP/1.1 2000 Long\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1200 OK\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
        "HTTP/1.1 20x OK\r\n\r\n",
    ])
    func malformedStatusLinesAre503(line: String) {
        #expect(parseResponse(line).error == HTTPWireError(status: 503, reason: "malformed response"))
    }

    @Test func badBytesAndOverlongLinesAre503() {
        #expect(parseResponse("HTTP/1.1 200 OK\r\nX: a\u{0}b\r\n\r\n").error?.status == 503)
        #expect(parseResponse("HTTP/1.1 200 OK\r\nX: " + String(repeating: "v", count: 100) + "\r\n\r\n",
                              maxLineLength: 64).error?.status == 503)
    }

    @Test func illegalHeaderLinesAreDroppedAsPoundDoes() throws {
        let text = "HTTP/1.1 200 OK\r\nSet-Cookie : a=b\r\nX-Good: 1\r\n  folded\r\nno colon\r\n\r\n"
        let result = parseResponse(text)
        let head = try #require(result.head)
        #expect(head.headers.fields == [HTTPHeaderField(name: "X-Good", value: "1")])
        #expect(result.headLength == text.utf8.count)
    }

    @Test func everyPrefixOfAResponseHeadIsIncomplete() {
        let all = bytes("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n")
        for k in 0..<all.count {
            #expect(HTTPHeadParser.parseResponse(Array(all[0..<k]), maxLineLength: 4096).isIncomplete)
        }
        #expect(HTTPHeadParser.parseResponse(all, maxLineLength: 4096).head?.status == 304)
    }
}
