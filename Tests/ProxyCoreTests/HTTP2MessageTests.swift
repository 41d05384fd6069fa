import HTTPWire
import NIOCore
import NIOHPACK
import Testing
@testable import ProxyCore

/// HTTP/2 header blocks to and from the HTTP/1.1 heads the exchange core works
/// with (RFC 9113 §8.3), and the cleartext preface check.
@Suite struct HTTP2MessageTests {
    private func request(_ fields: [(String, String)], endStream: Bool = true,
                         combine: [String] = []) -> Result<HTTP2Request, HTTP2Request.Refusal> {
        HTTP2Request.make(HPACKHeaders(fields), endStream: endStream, combine: combine)
    }

    private let get: [(String, String)] = [(":method", "GET"), (":scheme", "https"), (":authority", "example.com"),
                                           (":path", "/a?b=1")]

    @Test func pseudoHeadersMakeTheRequestLineAndAuthorityTheHost() throws {
        let r = try request(get + [("accept", "*/*")]).get()
        #expect(r.head.requestLine == "GET /a?b=1 HTTP/2.0")
        #expect(r.head.headers.fields.map(\.name) == ["Host", "accept"])
        #expect(r.head.headers.first("Host") == "example.com")
        #expect(r.framing == .none)
    }

    @Test func cookieCrumbsAreJoinedAndHopByHopFieldsDropped() throws {
        let r = try request(get + [("cookie", "a=1"), ("te", "trailers"), ("cookie", "b=2"), ("host", "other")]).get()
        #expect(r.head.headers.values("Cookie") == ["a=1; b=2"])
        #expect(!r.head.headers.contains("te"))
        #expect(r.head.headers.values("Host") == ["example.com"])
    }

    @Test func aBodyIsFramedByItsContentLengthOrChunked() throws {
        let post = [(":method", "POST"), (":scheme", "https"), (":authority", "h"), (":path", "/")]
        let sized = try request(post + [("content-length", "12")], endStream: false).get()
        #expect(sized.framing == .contentLength(12))
        #expect(sized.contentLength == 12)
        #expect(!sized.head.headers.contains("Transfer-Encoding"))
        let unsized = try request(post, endStream: false).get()
        #expect(unsized.framing == .chunked)
        #expect(unsized.head.headers.first("Transfer-Encoding") == "chunked")
    }

    @Test func malformedBlocksAreRefused() {
        let cases: [[(String, String)]] = [
            [(":scheme", "https"), (":path", "/")],                                    // no :method
            [(":method", "GET"), (":scheme", "https")],                                // no :path
            [(":method", "GET"), (":path", "/")],                                      // no :scheme
            get + [(":status", "200")],                                                // a response pseudo-header
            get + [("content-length", "1"), ("content-length", "2")],                  // two lengths
            get + [("content-length", "x")],
            get + [(":method", "POST")],                                               // a pseudo-header twice
            [(":method", "GET"), ("accept", "*/*"), (":scheme", "https"), (":path", "/")], // pseudo after regular
            get + [("Accept", "*/*")],                                                 // upper case
            get + [("bad name", "x")],
            get + [("x-a", "one\r\ntwo")],
            get + [("x-a", " padded")],
            get + [("connection", "keep-alive")],
            get + [("transfer-encoding", "chunked")],
            get + [("te", "gzip")],
            [(":method", "CONNECT"), (":scheme", "https"), (":path", "/")],           // CONNECT without :authority
        ]
        for fields in cases {
            guard case .failure(.malformed) = request(fields) else {
                Issue.record("accepted: \(fields)")
                continue
            }
        }
    }

    @Test func connectIsAnsweredNotRelayed() {
        let connect = request([(":method", "CONNECT"), (":authority", "example.com:443")], endStream: false)
        guard case .failure(.unsupported(let head, let status, _)) = connect else {
            Issue.record("\(connect)")
            return
        }
        #expect(status == 501)
        #expect(head.requestLine == "CONNECT example.com:443 HTTP/2.0")
    }

    @Test func responseFieldsAreLowerCaseWithoutConnectionSpecificOnes() {
        var head = HTTPResponseHead(version: .http1_1, status: 404, reason: "Not Found")
        head.headers.append("Content-Type", "text/plain")
        head.headers.append("Connection", "close")
        head.headers.append("Keep-Alive", "timeout=5")
        head.headers.append("Transfer-Encoding", "chunked")
        head.headers.append("Set-Cookie", "a=1")
        let fields = HTTP2Response.fields(head)
        #expect(fields.map { "\($0.name): \($0.value)" } == [":status: 404", "content-type: text/plain", "set-cookie: a=1"])
    }

    @Test func parsedResponseFieldsAreLowerCasedFromTheirBytes() throws {
        let wire = ByteBuffer(string: "HTTP/1.1 200 OK\r\nX-MiXed-Case: V\r\nProxy-Connection: x\r\nUPGRADE: h2c\r\nETag: \"1\"\r\n\r\n")
        let (head, _) = try #require(HTTP2Response.parseLocal(wire))
        let fields = HTTP2Response.fields(head)
        #expect(fields.map { "\($0.name): \($0.value)" } == [":status: 200", "x-mixed-case: V", "etag: \"1\""])
    }

    @Test func localRepliesSplitIntoHeadAndBody() throws {
        let bytes = ByteBuffer(string: "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy")
        let (head, body) = try #require(HTTP2Response.parseLocal(bytes))
        #expect(head.status == 503)
        #expect(String(buffer: body) == "busy")
    }

    @Test func prefaceIsRecognisedByItsPrefix() {
        let preface = HTTP2Connection.preface
        #expect(preface.withUnsafeBytes { HTTP2Connection.startsWithPreface($0) } == true)
        #expect(Array(preface.prefix(5)).withUnsafeBytes { HTTP2Connection.startsWithPreface($0) } == nil)
        #expect(Array("GET / HTTP/1.1\r\n".utf8).withUnsafeBytes { HTTP2Connection.startsWithPreface($0) } == false)
        #expect(Array("PRX".utf8).withUnsafeBytes { HTTP2Connection.startsWithPreface($0) } == false)
    }
}
