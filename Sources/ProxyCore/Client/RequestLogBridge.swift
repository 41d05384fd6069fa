import PoundConfig
import Routing

/// Turns a finished exchange into the request-log line of the listener's format.
enum RequestLogBridge {
    static func render(format: LogFormat, exchange: Exchange, listener: ListenerRuntime, client: ClientAddress,
                       threadTag: String) -> String {
        "\(client.text) \(exchange.requestLine) - \(exchange.statusLine ?? "")"
    }
}
