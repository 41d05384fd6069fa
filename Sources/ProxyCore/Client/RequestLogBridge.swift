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
        let record = RequestLogRecord(
            clientAddress: client.text, peerAddress: client.text, listener: listener.logListener,
            isTLS: listener.info.isHTTPS, request: exchange.request.head,
            originalRequestLine: exchange.rawRequestLine ?? exchange.requestLine,
            statusCode: exchange.status ?? 0, responseStatusLine: exchange.statusLine,
            responseBytes: exchange.responseBodyBytes, userName: nil,
            service: env.logObject(exchange.service), backend: env.logObject(exchange.backend),
            startTime: start, endTime: RequestLogRecord.now())
        listener.logger.log(record, suppress: exchange.service?.service.logSuppress ?? [])
    }
}
