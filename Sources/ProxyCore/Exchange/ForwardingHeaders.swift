import HTTPWire
import PoundConfig
import Routing

/// `HeaderOption forwarded`: what Pound adds before sending a request on
/// (`add_forwarded_headers`): X-Forwarded-For appended to any existing value,
/// X-Forwarded-Proto and X-Forwarded-Port replaced.
enum ForwardingHeaders {
    static func apply(to head: inout HTTPRequestHead, client: ClientAddress, listener: ListenerRuntime) {
        guard listener.listener.headerOptions.contains(.forwarded) else { return }
        if let i = head.headers.firstIndex("X-Forwarded-For") {
            if head.headers.fields[i].value.isEmpty {
                head.headers.replaceOrAppend("X-Forwarded-For", client.text)
            } else {
                head.headers.fields[i].value += ", " + client.text
            }
        } else {
            head.headers.append("X-Forwarded-For", client.text)
        }
        head.headers.replaceOrAppend("X-Forwarded-Proto", listener.info.isHTTPS ? "https" : "http")
        if listener.port > 0 {
            head.headers.replaceOrAppend("X-Forwarded-Port", listener.portText)
        }
    }
}
