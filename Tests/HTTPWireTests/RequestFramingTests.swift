import Testing
@testable import HTTPWire

@Suite struct RequestFramingTests {
    private func framing(_ headers: [(String, String)], version: HTTPVersion = .http1_1) -> Result<BodyFraming, HTTPWireError> {
        MessageFraming.request(request(headers, version: version))
    }

    @Test func noLengthMeansNoBody() {
        #expect(framing([("Host", "h")]).successValue == BodyFraming.none)
    }

    @Test func contentLengthIsTakenWithBlanksAround() {
        #expect(framing([("Content-Length", "42")]).successValue == .contentLength(42))
        #expect(framing([("content-length", " 7 ")]).successValue == .contentLength(7))
        #expect(framing([("Content-Length", "0")]).successValue == .contentLength(0))
        #expect(framing([("Content-Length", "9223372036854775807")]).successValue == .contentLength(UInt64(Int64.max)))
    }

    @Test(arguments: ["+5", "-1", "0x5", "5a", "", "5 5", "9223372036854775808", "1e3"])
    func invalidContentLengthIs400(value: String) {
        #expect(framing([("Content-Length", value)]).failureValue
            == HTTPWireError(status: 400, reason: "bad Content-Length value"))
    }

    @Test func repeatedOrListedContentLengthIs400EvenWhenEqual() {
        let multiple = HTTPWireError(status: 400, reason: "multiple Content-Length headers")
        #expect(framing([("Content-Length", "5"), ("Content-Length", "5")]).failureValue == multiple)
        #expect(framing([("Content-Length", "5, 5")]).failureValue == multiple)
    }

    @Test func chunkedAloneIsChunked() {
        #expect(framing([("Transfer-Encoding", "chunked")]).successValue == .chunked)
        #expect(framing([("transfer-encoding", "CHUNKED")]).successValue == .chunked)
        #expect(framing([("Transfer-Encoding", " chunked ")]).successValue == .chunked)
    }

    /// Stricter than Pound, which takes these as chunked and forwards the list: a
    /// backend that does not know the other coding frames the body differently.
    @Test(arguments: [
        [("Transfer-Encoding", "gzip, chunked")],
        [("Transfer-Encoding", "identity, chunked")],
        [("Transfer-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
    ])
    func anotherCodingBeforeChunkedIs501(headers: [(String, String)]) {
        #expect(framing(headers).failureValue == HTTPWireError(status: 501, reason: "unknown Transfer-Encoding"))
    }

    @Test(arguments: [
        [("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")],   // chunked2.at
        [("Transfer-Encoding", "chunked, flow")],                                // chunked2.at
        [("Transfer-Encoding", "chunked, chunked")],
        [("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "gzip")],
    ])
    func chunkedNotLastIs400(headers: [(String, String)]) {
        #expect(framing(headers).failureValue
            == HTTPWireError(status: 400, reason: "multiple Transfer-Encoding headers"))
    }

    @Test(arguments: ["surprise", "identity", "gzip"])
    func unknownTransferCodingIs501(value: String) {
        #expect(framing([("Transfer-Encoding", value)]).failureValue
            == HTTPWireError(status: 501, reason: "unknown Transfer-Encoding"))
    }

    /// A list that is not a list of tokens: empty, an empty element, parameters,
    /// quoted strings, blanks inside an element.
    @Test(arguments: ["", " ", "chunked,", ", chunked", "chunked;q=1", "\"chunked\"", "chun ked", "gzip,,chunked"])
    func malformedTransferEncodingIs400(value: String) {
        #expect(framing([("Transfer-Encoding", value)]).failureValue
            == HTTPWireError(status: 400, reason: "malformed Transfer-Encoding"))
    }

    @Test func unknownCodingWinsOverContentLengthAs501() {
        #expect(framing([("Transfer-Encoding", "gzip"), ("Content-Length", "3")]).failureValue?.status == 501)
    }

    @Test func chunkedWithContentLengthIs400InEitherOrder() {
        let both = HTTPWireError(status: 400, reason: "both Transfer-Encoding and Content-Length given")
        #expect(framing([("Transfer-Encoding", "chunked"), ("Content-Length", "0")]).failureValue == both)
        #expect(framing([("Content-Length", "0"), ("Transfer-Encoding", "chunked")]).failureValue == both)
    }

    @Test func errorsComeInHeaderOrder() {
        // Pound checks header by header: the bad Content-Length is seen first.
        #expect(framing([("Content-Length", "x"), ("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")])
            .failureValue?.reason == "bad Content-Length value")
    }

    @Test func chunkedHTTP10RequestIsRefused() {
        #expect(framing([("Transfer-Encoding", "chunked")], version: .http1_0).failureValue?.status == 400)
        #expect(framing([("Content-Length", "3")], version: .http1_0).successValue == .contentLength(3))
    }

    @Test func maxRequestRefusesALargerDeclaredLengthWith413() {
        let head = request([("Content-Length", "65")])
        #expect(MessageFraming.request(head, maxRequest: 64).failureValue
            == HTTPWireError(status: 413, reason: "request too large: 65 bytes"))
        #expect(MessageFraming.request(request([("Content-Length", "64")]), maxRequest: 64).successValue == .contentLength(64))
        #expect(MessageFraming.request(head, maxRequest: 0).successValue == .contentLength(65))
        #expect(MessageFraming.request(head, maxRequest: nil).successValue == .contentLength(65))
    }
}
