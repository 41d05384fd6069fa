/// One parsed request.
struct DemoRequest {
    var method: String
    var uri: String
    /// "HTTP/1.1", "HTTP/1.0"
    var version: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }

    /// HTTP/1.1 keeps the connection unless `Connection: close`; HTTP/1.0 closes unless
    /// `Connection: keep-alive`.
    var keepAlive: Bool {
        let tokens = headers.filter { $0.name.lowercased() == "connection" }
            .flatMap { $0.value.lowercased().split(separator: ",").map { $0.trimmingBlanks } }
        if version == "HTTP/1.0" { return tokens.contains("keep-alive") }
        return !tokens.contains("close")
    }

    /// The value of cookie `name` in any Cookie header.
    func cookie(_ name: String) -> String? {
        for h in headers where h.name.lowercased() == "cookie" {
            for pair in h.value.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2, kv[0].trimmingBlanks == name { return String(kv[1].trimmingBlanks) }
            }
        }
        return nil
    }
}

extension StringProtocol {
    var trimmingBlanks: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
