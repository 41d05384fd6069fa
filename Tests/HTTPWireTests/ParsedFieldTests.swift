import Testing
@testable import HTTPWire

/// Fields the parser makes are places in the head's bytes; these check that they read,
/// compare, change and go back on the wire as fields made from Strings do.
@Suite struct ParsedFieldTests {
    private func parsed(_ fieldLines: [UInt8]) throws -> HTTPRequestHead {
        var wire: [UInt8] = bytes("GET / HTTP/1.1\r\n")
        wire += fieldLines
        wire += bytes("\r\n")
        return try #require(HTTPHeadParser.parseRequest(wire, limits: RequestLimits()).head)
    }

    @Test func obsTextIsForwardedAsReceivedAndReadsAsReplacementCharacters() throws {
        let latin1: [UInt8] = [0xE9]
        let head = try parsed(bytes("Host: a\r\nX-Name: caf") + latin1 + bytes("\r\n"))
        #expect(head.headers.first("x-name") == "caf\u{FFFD}")
        let expected: [UInt8] = bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf") + latin1 + bytes("\r\n\r\n")
        #expect(head.serialized() == expected)
    }

    @Test func aChangedFieldGoesOutWithItsNewText() throws {
        var head = try parsed(bytes("Host: a\r\nX-One: 1\r\nX-Two: 2\r\n"))
        head.headers.fields[1].value = "changed"
        head.headers.fields[2].name = "X-Renamed"
        #expect(String(decoding: head.serialized(), as: UTF8.self)
            == "GET / HTTP/1.1\r\nHost: a\r\nX-One: changed\r\nX-Renamed: 2\r\n\r\n")
    }

    @Test func parsedAndBuiltFieldsCompareByText() throws {
        let head = try parsed(bytes("Host:   example.com  \r\n"))
        #expect(head.headers.fields[0] == HTTPHeaderField(name: "Host", value: "example.com"))
        #expect(head.headers.fields[0].hasName("HOST"))
        #expect(!head.headers.fields[0].hasName("Hos"))
        #expect(head.headers.fields[0].hasName(lowercase: "host"))
        #expect(head.headers.fields[0].line == "Host: example.com")
    }

    @Test func removingEveryCopyOfAFieldKeepsTheOthersInOrder() throws {
        var lines: [UInt8] = bytes("Host: a\r\n")
        for i in 0..<200 { lines += bytes(i % 2 == 0 ? "X-Drop: \(i)\r\n" : "X-Keep: \(i)\r\n") }
        var head = try parsed(lines)
        head.headers.remove("x-drop")
        #expect(head.headers.count == 101)
        let odd: [String] = (0..<100).map { String($0 * 2 + 1) }
        #expect(head.headers.values("X-Keep") == odd)
        head.headers.replaceOrAppend("X-Keep", "one")
        #expect(head.headers.values("X-Keep") == ["one"])
        #expect(head.headers.fields.map(\.name) == ["Host", "X-Keep"])
    }

    @Test func headsWithManyFieldsKeepEveryFieldInPlace() throws {
        var lines: [UInt8] = bytes("Host: a\r\n")
        let many = 74
        for i in 0..<many { lines += bytes("X-\(i):  v\(i) \r\n") }
        let head = try parsed(lines)
        #expect(head.headers.count == many + 1)
        let last = HTTPHeaderField(name: "X-\(many - 1)", value: "v\(many - 1)")
        #expect(head.headers.fields.last == last)
        let responseLines: String = (0..<100).map { "A\($0): \($0)\r\n" }.joined()
        let response = try #require(parseResponse("HTTP/1.1 200 OK\r\n" + responseLines + "\r\n").head)
        #expect(response.headers.count == 100)
        #expect(response.headers.first("a99") == "99")
    }
}
