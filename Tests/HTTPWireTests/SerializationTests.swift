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

    @Test func lengthMatchesWhatIsWrittenForUnusualStatusesAndVersions() {
        // Response rules can set any status; a version past 9 is spelled out.
        for (status, version) in [(42, HTTPVersion.http1_1), (1000, .http1_0), (-7, .http1_1),
                                  (200, HTTPVersion(major: 10, minor: 12))] {
            let head = HTTPResponseHead(version: version, status: status, reason: "Why", headers: ["K": "v"])
            let wire = head.serialized()
            #expect(wire.count == head.serializedLength)
            #expect(String(decoding: wire, as: UTF8.self) == "\(version) \(status) Why\r\nK: v\r\n\r\n")
        }
    }

    @Test func serializeIntoLargerMemoryWritesOnlyTheHead() {
        let head = HTTPRequestHead(method: "GET", uri: "/x", version: .http1_1, headers: ["Host": "h"])
        var memory = [UInt8](repeating: 0xAA, count: head.serializedLength + 8)
        let written = memory.withUnsafeMutableBytes { head.serialize(into: $0) }
        #expect(written == head.serializedLength)
        #expect(Array(memory[..<written]) == head.serialized())
        #expect(memory[written...].allSatisfy { $0 == 0xAA })
    }
}
