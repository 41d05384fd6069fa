import Foundation
import NIOCore
import NIOPosix
import OpenSSLTLS
import PoundConfig

/// An HTTPS/1.1 backend inside the test process: our own `TLSHandler` as the
/// server over real sockets, keep-alive, answering every GET with what it saw of
/// the connection, e.g. `conn=1 req=2 sni=backend.test reused=false
/// client=O = Pounce, CN = proxy-client host=x`. `GET /close` answers with
/// `Connection: close` and closes.
final class TLSTestBackend: @unchecked Sendable {
    let port: Int
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: Channel
    private let lock = NSLock()
    private var _connections = 0
    private var _handshakes: [TLSConnectionInfo] = []
    private var _errors: [String] = []

    /// TCP connections accepted so far.
    var connections: Int { lock.withLock { _connections } }
    /// Completed handshakes, in order.
    var handshakes: [TLSConnectionInfo] { lock.withLock { _handshakes } }
    /// TLS failures the server side reported.
    var errors: [String] { lock.withLock { _errors } }

    /// - Parameter listenerStatements: `ListenHTTPS` statements (`Cert` included)
    ///   for the server side, parsed as pounce would.
    init(listenerStatements: [String], directory: String) throws {
        let context = try TLSServerContext(settings: Self.settings(listenerStatements, directory: directory))
        let box = Weak()
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let owner = box.value else { throw HarnessError("backend gone") }
                    let id = owner.lock.withLock { () -> Int in
                        owner._connections += 1
                        return owner._connections
                    }
                    let tls = TLSHandler(context: context) { message in
                        owner.lock.withLock { owner._errors.append(message) }
                    }
                    try channel.pipeline.syncOperations.addHandler(tls)
                    try channel.pipeline.syncOperations.addHandler(Responder(id: id, owner: owner))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
        box.value = self
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    private func recordHandshake(_ info: TLSConnectionInfo) {
        lock.withLock { _handshakes.append(info) }
    }

    private static func settings(_ statements: [String], directory: String) throws -> TLSSettings {
        let path = directory + "/backend-listener.cfg"
        var text = "ListenHTTPS\n\tAddress 127.0.0.1\n\tPort 1\n"
        for s in statements { text += "\t" + s + "\n" }
        text += "End\n"
        PounceProcess.write(text, to: path)
        let diagnostics = Diagnostics()
        let config = try ConfigLoader.load(file: path, diagnostics: diagnostics)
        guard let tls = config.listeners.first?.tls else { throw HarnessError("no HTTPS listener in \(text)") }
        return tls
    }

    private final class Weak: @unchecked Sendable {
        weak var value: TLSTestBackend?
    }

    /// Answers requests (heads only) on one connection.
    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let id: Int
        let owner: TLSTestBackend
        var info: TLSConnectionInfo?
        var received: [UInt8] = []
        var served = 0

        init(id: Int, owner: TLSTestBackend) {
            self.id = id
            self.owner = owner
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let done = event as? TLSHandshakeCompleted {
                info = done.info
                owner.recordHandshake(done.info)
            }
            context.fireUserInboundEventTriggered(event)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readBytes(length: buffer.readableBytes) ?? []
            while let end = HTTPReply.find(received, [13, 10, 13, 10]) {
                let head = String(decoding: received[..<end], as: UTF8.self)
                received.removeFirst(end + 4)
                served += 1
                let lines = head.components(separatedBy: "\r\n")
                let path = lines.first?.split(separator: " ").dropFirst().first.map(String.init) ?? ""
                let host = lines.dropFirst().first { $0.lowercased().hasPrefix("host:") }
                    .map { $0.dropFirst(5).trimmingCharacters(in: .whitespaces) } ?? "-"
                let body = "conn=\(id) req=\(served) sni=\(info?.serverName ?? "-") "
                    + "reused=\(info?.sessionReused ?? false) client=\(info?.peerCertificate?.subject ?? "-") "
                    + "host=\(host)\n"
                let closing = path == "/close"
                var out = context.channel.allocator.buffer(capacity: 256)
                out.writeString("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n")
                out.writeString(closing ? "Connection: close\r\n\r\n" : "\r\n")
                out.writeString(body)
                let written = context.writeAndFlush(wrapOutboundOut(out))
                if closing {
                    written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                    return
                }
            }
        }
    }
}
