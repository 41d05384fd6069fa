import Testing
@testable import HTTPWire

@Suite struct SerializationTests {
    @Test func requestSerializesAsCRLFLines() {
        let head = HTTPRequestHead(
            method: "POST", uri: "/p?q=1", version: .http1_1,
            headers: ["Host": "example.com", "Content-Length": "3"]
        )
        #expect(String(decoding: head.serialized(), as: UTF8.self)
            == "POST /p?q=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\n")
    }

    @Test func responseSerializesWithAndWithoutReason() {
        let ok = HTTPResponseHead(version: .http1_0, status: 200, reason: "OK", headers: ["X": "y"])
        #expect(String(decoding: ok.serialized(), as: UTF8.self) == "HTTP/1.0 200 OK\r\nX: y\r\n\r\n")
        let bare = HTTPResponseHead(version: .http1_1, status: 204, reason: "")
        #expect(String(decoding: bare.serialized(), as: UTF8.self) == "HTTP/1.1 204 \r\n\r\n")
    }

    @Test func parsedRequestRoundTrips() throws {
        let wire = bytes(RequestHeadParsingTests.typical)
        let head = try #require(HTTPHeadParser.parseRequest(wire, limits: RequestLimits()).head)
        #expect(head.serialized() == wire)
        let again = HTTPHeadParser.parseRequest(head.serialized(), limits: RequestLimits()).head
        #expect(again == head)
    }

    @Test func parsedResponseRoundTripsAfterNormalisation() throws {
        let sloppy = bytes("HTTP/1.1  404   Not Found\nContent-Length:   0  \n\n")
        let head = try #require(HTTPHeadParser.parseResponse(sloppy, maxLineLength: 4096).head)
        let wire = head.serialized()
        #expect(String(decoding: wire, as: UTF8.self) == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        #expect(HTTPHeadParser.parseResponse(wire, maxLineLength: 4096).head == head)
    }

    @Test func serializedCapacityIsExact() {
        let head = HTTPRequestHead(method: "GET", uri: "/\u{00E9}", version: .http1_1, headers: ["A": "\u{00FC}"])
        let out = head.serialized()
        #expect(out.count == "GET /\u{00E9} HTTP/1.1\r\nA: \u{00FC}\r\n\r\n".utf8.count)
        #expect(out.capacity >= out.count)
    }
}
