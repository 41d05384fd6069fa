import Testing
@testable import HTTPWire

@Suite struct ResponseFramingTests {
    private func framing(
        _ status: Int, _ headers: [(String, String)], method: String = "GET", version: HTTPVersion = .http1_1
    ) -> Result<BodyFraming, HTTPWireError> {
        MessageFraming.response(response(status, headers, version: version), requestMethod: method)
    }

    @Test func answersToHEADHaveNoBodyWhateverTheHeadersSay() {
        #expect(framing(200, [("Content-Length", "100")], method: "HEAD").successValue == BodyFraming.none)
        #expect(framing(200, [("Transfer-Encoding", "chunked")], method: "head").successValue == BodyFraming.none)
    }

    @Test(arguments: [100, 101, 103, 204, 304])
    func bodilessStatuses(status: Int) {
        #expect(framing(status, [("Content-Length", "10")]).successValue == BodyFraming.none)
        #expect(framing(status, [("Transfer-Encoding", "chunked")]).successValue == BodyFraming.none)
    }

    @Test func contentLengthAndChunked() {
        #expect(framing(200, [("Content-Length", "12")]).successValue == .contentLength(12))
        #expect(framing(305, [("Content-Length", "12")]).successValue == .contentLength(12))
        #expect(framing(200, [("Transfer-Encoding", "chunked")]).successValue == .chunked)
        #expect(framing(200, [("Transfer-Encoding", "gzip, chunked")]).successValue == .chunked)
        #expect(framing(200, [("Transfer-Encoding", "chunked"), ("Content-Length", "3")]).successValue == .chunked)
    }

    @Test func noLengthOrNonChunkedCodingReadsUntilClose() {
        #expect(framing(200, []).successValue == .untilClose)
        #expect(framing(200, [("Transfer-Encoding", "chunked, gzip")]).successValue == .untilClose)
        #expect(framing(200, [("Transfer-Encoding", "chunked")], version: .http1_0).successValue == .untilClose)
        #expect(framing(200, [("Content-Length", "4")], version: .http1_0).successValue == .contentLength(4))
    }

    @Test func repeatedEqualLengthsAgreeOtherwise503() {
        #expect(framing(200, [("Content-Length", "5"), ("Content-Length", "5")]).successValue == .contentLength(5))
        #expect(framing(200, [("Content-Length", "5, 5")]).successValue == .contentLength(5))
        #expect(framing(200, [("Content-Length", "5"), ("Content-Length", "6")]).failureValue?.status == 503)
        #expect(framing(200, [("Content-Length", "abc")]).failureValue
            == HTTPWireError(status: 503, reason: "invalid content length: abc"))
        #expect(framing(200, [("Content-Length", "")]).failureValue?.status == 503)
    }
}
