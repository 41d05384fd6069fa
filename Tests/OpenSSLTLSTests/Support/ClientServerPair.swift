import NIOCore
import NIOEmbedded
import OpenSSLTLS

/// Our client handler and our server handler on two `EmbeddedChannel`s, with the
/// ciphertext carried between them by `pump()`.
final class ClientServerPair {
    let client: EmbeddedChannel
    let server: EmbeddedChannel
    let clientHandler: TLSHandler
    let serverHandler: TLSHandler
    /// Counts the client's reads reaching its socket end.
    let clientReads = ReadCounter()
    let clientRecorder = Recorder()
    let serverRecorder = Recorder()
    private let clientMessageBox = MessageBox()
    private let serverMessageBox = MessageBox()

    var clientErrors: [String] { clientMessageBox.messages }
    var serverErrors: [String] { serverMessageBox.messages }

    /// - Parameter addWhenActive: connect the client channel first and add the handler
    ///   afterwards (the handshake then starts in `handlerAdded`, not `channelActive`).
    init(client clientContext: TLSClientContext, server serverContext: TLSServerContext,
         addWhenActive: Bool = false) throws {
        client = EmbeddedChannel()
        server = EmbeddedChannel()
        let clientBox = clientMessageBox
        let serverBox = serverMessageBox
        clientHandler = TLSHandler(context: clientContext) { clientBox.messages.append($0) }
        serverHandler = TLSHandler(context: serverContext) { serverBox.messages.append($0) }
        try server.pipeline.syncOperations.addHandlers([serverHandler, serverRecorder])
        try server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        if addWhenActive {
            try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
            try client.pipeline.syncOperations.addHandlers([clientReads, clientHandler, clientRecorder])
        } else {
            try client.pipeline.syncOperations.addHandlers([clientReads, clientHandler, clientRecorder])
            try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
        }
    }

    /// Carries ciphertext both ways until neither side has anything more to send.
    func pump() throws {
        while true {
            var progressed = false
            while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                if server.isActive { try server.writeInbound(bytes) }
                progressed = true
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                if client.isActive { try client.writeInbound(bytes) }
                progressed = true
            }
            if !progressed { return }
        }
    }

    /// Both sides completed the handshake.
    var handshakeDone: Bool {
        clientHandler.connectionInfo != nil && serverHandler.connectionInfo != nil
    }
}

final class MessageBox {
    var messages: [String] = []
}
