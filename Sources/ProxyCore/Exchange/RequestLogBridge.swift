import HTTPWire
import RequestLog
import Routing
#if canImport(Glibc)
import Glibc
#endif

/// Turns a finished exchange into the listener's request-log line.
enum RequestLogBridge {
    static func log(_ exchange: Exchange, listener: ListenerRuntime, env: ProxyEnvironment, client: ClientAddress) {
        guard listener.logger.isEnabled else { return }
        let start = timespec(tv_sec: Int(exchange.startNanos / 1_000_000_000), tv_nsec: Int(exchange.startNanos % 1_000_000_000))
        // `%a`: the client as the trusted proxies in X-Forwarded-For (or the
        // configured header) report it, else the peer.
        let service = exchange.service?.service
        let header = service?.forwardedHeader ?? listener.forwardedHeader
        let combinable = listener.combineHeaders.contains { $0.lowercased() == header.lowercased() }
        let clientAddress = ForwardedClient.address(in: exchange.request.head.headers, headerName: header,
                                                    combinable: combinable,
                                                    trusted: service?.trustedIPs ?? listener.trustedIPs) ?? client.text
        let record = RequestLogRecord(
            clientAddress: clientAddress, peerAddress: client.text, listener: listener.logListener,
            isTLS: listener.info.isHTTPS, request: exchange.request.head,
            originalRequestLine: exchange.rawRequestLine ?? exchange.requestLine,
            statusCode: exchange.status ?? 0, responseStatusLine: exchange.statusLine,
            responseBytes: exchange.responseBodyBytes, userName: nil,
            service: env.logObject(exchange.service), backend: env.logObject(exchange.backend),
            startTime: start, endTime: RequestLogRecord.now())
        listener.logger.log(record, suppress: exchange.service?.service.logSuppress ?? [])
    }
}
