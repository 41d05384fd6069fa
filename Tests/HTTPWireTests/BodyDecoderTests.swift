import Testing
@testable import HTTPWire

@Suite struct BodyDecoderTests {
    static let chunkedBody = "5;name=value;q=\"a \\\"quoted\\\" one\"\r\nhello\r\n"
        + "A ; ext\r\n0123456789\r\n"
        + "0\r\nX-Trailer: yes\r\nX-Other: 2\r\n\r\n"
    static let next = "GET /next HTTP/1.1\r\n\r\n"

    @Test func chunkedFedOneByteAtATimeEndsExactlyAtTheFinalCRLF() {
        let body = bytes(Self.chunkedBody)
        let stream = body + bytes(Self.next)
        var decoder = BodyDecoder(framing: .chunked, limit: nil)
        var total = 0
        for (index, byte) in stream.enumerated() {
            guard case .success(let progress) = decoder.consume([byte]) else {
                Issue.record("failed at byte \(index)")
                return
            }
            total += progress.bodyBytes
            #expect(progress.finished == (index == body.count - 1), "byte \(index)")
            if progress.finished { break }
            #expect(progress.bodyBytes == 1)
        }
        #expect(total == body.count)
        #expect(decoder.isComplete)
        #expect(decoder.payloadBytes == 15)
        #expect(decoder.consume(bytes(Self.next)).successValue == BodyProgress(bodyBytes: 0, finished: true))
    }

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func chunkedInAnyPieceSizeLeavesThePipelinedRequest(step: Int) {
        let body = bytes(Self.chunkedBody)
        var decoder = BodyDecoder(framing: .chunked, limit: nil)
        let outcome = run(&decoder, body + bytes(Self.next), step: step)
        #expect(outcome.error == nil)
        #expect(outcome.finished)
        #expect(outcome.bodyBytes == body.count)
    }

    /// A request's trailer section is held back and forwarded without the fields that
    /// must not be trailers (RFC 9110 §6.5.1), however the bytes arrive.
    @Test(arguments: [1, 3, 4096])
    func requestTrailersGoOnWithoutForbiddenFields(step: Int) {
        let head = "5\r\nhello\r\n0\r\n"
        let trailer = "X-Sum: 10\r\nHost: evil.example\r\nauthorization: Basic eA==\r\nX-Other: 2\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n"
        let stream = bytes(head + trailer) + bytes(Self.next)
        var decoder = BodyDecoder(framing: .chunked, limit: nil, filtersTrailers: true)
        var forwarded: [UInt8] = []
        var offset = 0
        var finished = false
        while offset < stream.count && !finished {
            let piece = Array(stream[offset..<min(offset + step, stream.count)])
            guard case .success(let p) = decoder.consume(piece) else { return #expect(Bool(false), "failed") }
            forwarded += piece[0..<p.forwardedBytes]
            if let t = p.trailer { forwarded += t }
            finished = p.finished
            offset += p.bodyBytes
        }
        #expect(finished)
        #expect(offset == bytes(head + trailer).count)
        #expect(String(decoding: forwarded, as: UTF8.self) == head + "X-Sum: 10\r\nX-Other: 2\r\n\r\n")
    }

    @Test func withoutTrailersNothingIsHeld() {
        var decoder = BodyDecoder(framing: .chunked, limit: nil, filtersTrailers: true)
        let body = bytes("3\r\nabc\r\n0\r\n\r\n")
        #expect(decoder.consume(body).successValue == BodyProgress(bodyBytes: body.count, finished: true))
    }

    @Test func anOversizedTrailerSectionIs400() {
        var decoder = BodyDecoder(framing: .chunked, limit: nil, maxLineLength: 64, filtersTrailers: true)
        var stream = "0\r\n"
        for i in 0..<60 { stream += "X-F\(i): \(String(repeating: "v", count: 40))\r\n" }
        #expect(decoder.consume(bytes(stream)).failureValue == .badRequest("trailer section too large"))
    }

    @Test func chunkedInOneBufferWithoutTrailers() {
        var decoder = BodyDecoder(framing: .chunked, limit: nil)
        let body = bytes("3\r\nabc\r\n0\r\n\r\n")
        #expect(decoder.consume(body + bytes("XYZ")).successValue == BodyProgress(bodyBytes: body.count, finished: true))
    }

    @Test(arguments: [
        " 5\r\nhello\r\n0\r\n\r\n",       // blank before the size
        "0x5\r\nhello\r\n0\r\n\r\n",
        "g\r\n",
        "\r\n",                            // no size at all
        "5\nhello\r\n0\r\n\r\n",           // bare LF after the size
        "5\rhello",                        // CR without LF
        "5;\r\n",                          // extension without a name
        "5;a=\r\n",                        // extension without a value
        "5;a=\"open\r\n",                  // unterminated quoted string
        "5;a=b c\r\n",
        "5\r\nhelloX\r\n0\r\n\r\n",        // data longer than its size
        "5\r\nhello\n0\r\n\r\n",           // bare LF after the data
        "8000000000000000\r\n",            // beyond Int64.max
        "0\r\nX: a\u{1}\r\n\r\n",          // control byte in a trailer
        "0\r\nX: a\n\r\n",                 // bare LF in a trailer
        "0\r\nGET / HTTP/1.1\r\n\r\n",      // a request line where a trailer field goes
        "0\r\n X: folded\r\n\r\n",          // a blank before the name (obs-fold)
        "0\r\nX : a\r\n\r\n",               // a blank between name and colon
        "0\r\nno colon\r\n\r\n",
        "0\r\n: no name\r\n\r\n",
        "0\r\n\rX",
    ])
    func chunkSyntaxErrorsAre400(body: String) {
        var decoder = BodyDecoder(framing: .chunked, limit: nil)
        let outcome = run(&decoder, bytes(body), step: 1)
        #expect(outcome.error?.status == 400)
        #expect(decoder.error?.status == 400)
        #expect(decoder.consume(bytes("0\r\n\r\n")).failureValue?.status == 400)
    }

    @Test func extensionNamesWithoutValuesAndBlanksAreAccepted() {
        var decoder = BodyDecoder(framing: .chunked, limit: nil)
        let body = bytes("5 ; a ; b = c ;d=\"x\\\\y\"\t\r\nhello\r\n0;last\r\n\r\n")
        #expect(decoder.consume(body).successValue == BodyProgress(bodyBytes: body.count, finished: true))
    }

    @Test func chunkSizeLineLongerThanLineBufferSizeIs400() {
        var decoder = BodyDecoder(framing: .chunked, limit: nil, maxLineLength: 16)
        #expect(decoder.consume(bytes("5;aaaaaaaaaaaaaaaaaaaa=b\r\n")).failureValue?.status == 400)
        var fits = BodyDecoder(framing: .chunked, limit: nil, maxLineLength: 16)
        #expect(fits.consume(bytes("5;aaaaaaaaa=b\r\n")).successValue?.bodyBytes == 15)
    }

    @Test func chunkedTotalOverTheLimitIs413AtTheChunkThatCrossesIt() {
        // maxrequest.at style: MaxRequest 64, chunks of 48 and 17 bytes.
        let first = "30\r\n" + String(repeating: "a", count: 48) + "\r\n"
        var decoder = BodyDecoder(framing: .chunked, limit: 64)
        #expect(decoder.consume(bytes(first)).successValue == BodyProgress(bodyBytes: first.utf8.count, finished: false))
        #expect(decoder.consume(bytes("11\r\n")).failureValue
            == HTTPWireError(status: 413, reason: "chunk content too large"))
        var exact = BodyDecoder(framing: .chunked, limit: 64)
        let body = bytes("40\r\n" + String(repeating: "a", count: 64) + "\r\n0\r\n\r\n")
        #expect(exact.consume(body).successValue?.finished == true)
    }

    @Test func contentLengthSplitAcrossReadsStopsAtTheLength() {
        var decoder = BodyDecoder(framing: .contentLength(10), limit: nil)
        #expect(decoder.consume(bytes("0123")).successValue == BodyProgress(bodyBytes: 4, finished: false))
        #expect(!decoder.isComplete)
        #expect(decoder.consume(bytes("456")).successValue == BodyProgress(bodyBytes: 3, finished: false))
        #expect(decoder.consume(bytes("789GET /")).successValue == BodyProgress(bodyBytes: 3, finished: true))
        #expect(decoder.isComplete)
        #expect(decoder.payloadBytes == 10)
        #expect(decoder.consume(bytes("more")).successValue == BodyProgress(bodyBytes: 0, finished: true))
    }

    @Test func contentLengthOverTheLimitFailsBeforeAnyByte() {
        var decoder = BodyDecoder(framing: .contentLength(65), limit: 64)
        #expect(decoder.error?.status == 413)
        #expect(decoder.consume(bytes("")).failureValue?.status == 413)
        var within = BodyDecoder(framing: .contentLength(64), limit: 64)
        #expect(within.error == nil)
        #expect(within.consume(bytes(String(repeating: "x", count: 64))).successValue?.finished == true)
        #expect(BodyDecoder(framing: .contentLength(65), limit: 0).error == nil)
    }

    @Test func emptyBodiesAreCompleteAtOnce() {
        #expect(BodyDecoder(framing: .none, limit: nil).isComplete)
        #expect(BodyDecoder(framing: .contentLength(0), limit: 1).isComplete)
        var decoder = BodyDecoder(framing: .none, limit: nil)
        #expect(decoder.consume(bytes("GET / HTTP/1.1\r\n")).successValue == BodyProgress(bodyBytes: 0, finished: true))
    }

    @Test func untilCloseTakesEverythingAndEndsAtEOF() {
        var decoder = BodyDecoder(framing: .untilClose, limit: nil)
        #expect(decoder.consume(bytes("abc")).successValue == BodyProgress(bodyBytes: 3, finished: false))
        #expect(decoder.consume(bytes("HTTP/1.1 200 OK\r\n")).successValue?.bodyBytes == 17)
        #expect(!decoder.isComplete)
        #expect(decoder.finishAtEOF().failureValue == nil)
        #expect(decoder.isComplete)
        #expect(decoder.payloadBytes == 20)
    }

    @Test func eofInsideALengthOrChunkedBodyIsAnError() {
        var fixed = BodyDecoder(framing: .contentLength(5), limit: nil)
        _ = fixed.consume(bytes("abc"))
        #expect(fixed.finishAtEOF().failureValue?.status == 400)
        var chunked = BodyDecoder(framing: .chunked, limit: nil)
        _ = chunked.consume(bytes("3\r\nabc\r\n0\r\n"))
        #expect(chunked.finishAtEOF().failureValue != nil)
        var done = BodyDecoder(framing: .contentLength(1), limit: nil)
        _ = done.consume(bytes("a"))
        #expect(done.finishAtEOF().failureValue == nil)
    }
}

/// The payload ranges `consume(_:payload:)` reports for a peer that frames bodies
/// itself (HTTP/2): the chunk data without its framing, however the bytes are split.
@Suite struct BodyDecoderPayloadTests {
    /// The payload, and the progress that finished the body.
    private func payload(_ framing: BodyFraming, _ pieces: [String]) -> (String, BodyProgress?) {
        var decoder = BodyDecoder(framing: framing, limit: nil, filtersTrailers: true)
        var out = ""
        var last: BodyProgress?
        for piece in pieces {
            let bytes = Array(piece.utf8)
            var ranges: [Range<Int>] = []
            guard case .success(let p) = bytes.withUnsafeBytes({ decoder.consume($0, payload: &ranges) }) else {
                return ("failed", nil)
            }
            for range in ranges { out += String(decoding: bytes[range], as: UTF8.self) }
            if last?.finished != true { last = p }
        }
        return (out, last)
    }

    @Test func chunkedPayloadWithoutFramingAcrossAnySplit() {
        let body = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 7\r\n\r\n"
        for split in 0...body.count {
            let cut = body.index(body.startIndex, offsetBy: split)
            let (text, last) = payload(.chunked, [String(body[..<cut]), String(body[cut...])])
            #expect(text == "hello world", "split at \(split)")
            #expect(last?.finished == true)
            #expect(last?.trailer.flatMap(TrailerFields.parse)?.first("X-Sum") == "7")
        }
    }

    @Test func lengthAndUntilCloseBodiesAreAllPayload() {
        #expect(payload(.contentLength(5), ["hel", "lo+next"]).0 == "hello")
        #expect(payload(.untilClose, ["abc", "def"]).0 == "abcdef")
    }

    @Test func trailerSectionsParseIntoFields() {
        let fields = TrailerFields.parse(Array("A: 1\r\nB:two  \r\n\r\n".utf8))
        #expect(fields?.fields.map { "\($0.name)=\($0.value)" } == ["A=1", "B=two"])
        #expect(TrailerFields.parse(Array("no colon\r\n\r\n".utf8)) == nil)
    }
}
