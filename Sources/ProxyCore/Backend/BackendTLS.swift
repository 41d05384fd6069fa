import OpenSSLTLS
import RequestLog

/// The TLS side of an HTTPS backend (`HTTPS`): the client context its connections
/// share (with the session they resume), and where their TLS failures are logged.
final class BackendTLS: Sendable {
    let context: TLSClientContext
    private let log: LogSink
    private let name: String

    init(context: TLSClientContext, log: LogSink, name: String) {
        self.context = context
        self.log = log
        self.name = name
    }

    /// The handler for a new connection made on the loop tagged `threadTag`. A failed
    /// handshake closes the connection, which the exchange using it answers with 503
    /// (as Pound does); the reason is logged here, Pound's words after the backend.
    func handler(threadTag: String) -> TLSHandler {
        let log = self.log
        let name = self.name
        return TLSHandler(context: context) { message in
            log.log(.notice, "(\(threadTag)) \(name): \(message)")
        }
    }
}
