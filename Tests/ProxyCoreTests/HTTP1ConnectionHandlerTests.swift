import NIOCore
import NIOEmbedded
import PoundConfig
import RequestLog
import Routing
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ProxyCore

/// The client handler on an `EmbeddedChannel`: request framing, Pound's checks and
/// their replies, without sockets. (Relaying to real backends is covered by the
/// process tests in PounceAppTests.)
@Suite struct HTTP1ConnectionHandlerTests {
    /// A handler for the first listener of `config`, on an embedded channel.
    private func channel(_ config: String) throws -> EmbeddedChannel {
        var template = Array("/tmp/pounce-core-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) } ?? "/tmp"
        let path = dir + "/pound.cfg"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = config.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
        var features = Features()
        features.dns = false
        features.includeDirectory = nil
        let model = try ConfigLoader.load(file: path, features: features, diagnostics: Diagnostics())
        let routing = try RoutingTable.build(model)
        let embedded = EmbeddedChannel()
        let loop = LoopContext(eventLoop: embedded.embeddedEventLoop, index: 0)
        let env = ProxyEnvironment(log: .discard, loops: LoopContexts(group: embedded.embeddedEventLoop), targets: [:],
                                   logObjects: [:])
        let listener = ListenerRuntime(index: 0, listener: model.listeners[0], routing: routing.listeners[0],
                                       localAddress: "127.0.0.1", port: 8080,
                                       logger: RequestLogger(formatter: nil, sink: .discard))
        try embedded.pipeline.syncOperations.addHandler(HTTP1ConnectionHandler(listener: listener, env: env, loop: loop))
        try embedded.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        return embedded
    }

    private func reply(_ channel: EmbeddedChannel, to request: String) throws -> String {
        try channel.writeInbound(ByteBuffer(string: request))
        var out = ""
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            out += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return out
    }

    private let base = """
        ListenHTTP
            Address 127.0.0.1
            Port 8080
            xHTTP 1
            MaxRequest 100
            Service
                URL "^/known"
                Error 403
            End
        End
        """

    @Test func requestWithoutAMatchingServiceGets503AndTheConnectionCloses() throws {
        let ch = try channel(base)
        let text = try reply(ch, to: "GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\nContent-Length: "))
        #expect(text.contains("\r\nConnection: close\r\n"))
        #expect(!ch.isActive)
    }

    @Test(arguments: [
        ("PROPFIND /known HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.0 405 Method Not Allowed"),
        ("POST /known HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n", "HTTP/1.1 413 Payload Too Large"),
        ("POST /known HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501 Not Implemented"),
        ("POST /known HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        ("GET /known HTTP/1.0\r\n\r\n", "HTTP/1.0 403 Forbidden"),
    ])
    func poundsStatusesForBadOrRefusedRequests(request: String, statusLine: String) throws {
        let ch = try channel(base)
        let text = try reply(ch, to: request)
        #expect(text.hasPrefix(statusLine + "\r\n"), "\(text)")
    }

    @Test func aHeadArrivingInPiecesIsAnsweredOnceComplete() throws {
        let ch = try channel(base)
        #expect(try reply(ch, to: "GET /known HT").isEmpty)
        #expect(try reply(ch, to: "TP/1.1\r\nHost:").isEmpty)
        #expect(try reply(ch, to: " x\r\n\r\n").hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
    }
}
