import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A backend for the cookie-affinity process tests, on `TestBackend`: it answers with its
/// name (`X-Backend` and the body), records the `Cookie` headers of every request it
/// served, and, as an application with sessions, sets `JSESSIONID=<name>-<n>; Path=/;
/// HttpOnly; SameSite=Lax` on a request that carries no JSESSIONID it issued. `kill()`
/// makes it a dead server: the port refuses connections, and a pooled keep-alive
/// connection is closed on its next request without an answer.
final class AffinityBackend: @unchecked Sendable {
    /// The `Set-Cookie` attributes the application gives its session cookie.
    static let sessionAttributes = "; Path=/; HttpOnly; SameSite=Lax"

    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var dead = false
        var cookies: [[String]] = []
        var issued: Set<String> = []
        var next = 1
    }

    let name: String
    let issuesSessions: Bool
    private let state = State()
    private var server: TestBackend!

    var port: Int { server.port }

    init(name: String, issuesSessions: Bool = false) throws {
        self.name = name
        self.issuesSessions = issuesSessions
        let state = state
        server = try TestBackend(name: name) { request, _ in
            Self.answer(request, name: name, issuesSessions: issuesSessions, state: state)
        }
    }

    /// The `Cookie` header values of each request served, in order (an empty list: the
    /// request had no `Cookie` header).
    var cookieHeaders: [[String]] { state.lock.withLock { state.cookies } }

    /// How many requests it answered.
    var served: Int { cookieHeaders.count }

    /// The session ids it issued.
    var issued: Set<String> { state.lock.withLock { state.issued } }

    func kill() {
        state.lock.withLock { state.dead = true }
        server.stop()
    }

    private static func answer(_ request: TestBackend.Request, name: String, issuesSessions: Bool,
                               state: State) -> [UInt8]? {
        var cookies: [String] = []
        for line in request.head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "cookie" else { continue }
            cookies.append(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var setCookie: String?
        let alive = state.lock.withLock { () -> Bool in
            guard !state.dead else { return false }
            state.cookies.append(cookies)
            if issuesSessions {
                let presented = cookies.flatMap { $0.split(separator: ";") }.compactMap { pair -> String? in
                    let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    return parts.count == 2 && parts[0] == "JSESSIONID" ? parts[1] : nil
                }
                if !presented.contains(where: state.issued.contains) {
                    let id = "\(name)-\(state.next)"
                    state.next += 1
                    state.issued.insert(id)
                    setCookie = "JSESSIONID=" + id + sessionAttributes
                }
            }
            return true
        }
        // A dead server: the connection ends with no answer.
        guard alive else { return nil }
        let body = Array("served by \(name)\n".utf8)
        var head = "HTTP/1.1 200 OK\r\nX-Backend: \(name)\r\nContent-Type: text/plain\r\n"
        if let setCookie { head += "Set-Cookie: \(setCookie)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }
}

/// What a browser keeps between requests, for the tests: cookies by name (the value of
/// the last `Set-Cookie` of each), sent back as one `Cookie` header.
struct CookieJar {
    private(set) var cookies: [(name: String, value: String)] = []

    subscript(name: String) -> String? { cookies.first { $0.name == name }?.value }

    mutating func set(_ name: String, _ value: String) {
        if let i = cookies.firstIndex(where: { $0.name == name }) {
            cookies[i].value = value
        } else {
            cookies.append((name, value))
        }
    }

    /// Takes every `Set-Cookie` of `reply`; returns their raw values.
    @discardableResult
    mutating func take(_ reply: HTTPReply) -> [String] {
        let values = reply.headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1)
        for value in values {
            let first = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let parts = first.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            set(parts[0].trimmingCharacters(in: .whitespaces), parts[1].trimmingCharacters(in: .whitespaces))
        }
        return values
    }

    /// The `Cookie` request header, nil when the jar is empty.
    var header: String? {
        cookies.isEmpty ? nil : "Cookie: " + cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }
}
