import Testing
@testable import ProxyCore

@Suite struct BackendPoolStateTests {
    final class Conn {}

    @Test func emptyPoolAsksForANewConnection() {
        var state = BackendPoolState<Conn>(maxIdlePerBackend: 2)
        guard case .connect = state.lease(backend: ObjectIdentifier(Conn.self)) else {
            Issue.record("expected connect")
            return
        }
    }

    @Test func reusesMostRecentlyReturnedConnectionOfTheSameBackend() {
        var state = BackendPoolState<Conn>(maxIdlePerBackend: 4)
        let backendA = ObjectIdentifier(Conn.self), backendB = ObjectIdentifier(Int.self)
        let a1 = Conn(), a2 = Conn(), b1 = Conn()
        #expect(state.release(a1, backend: backendA, closing: false) == .park)
        #expect(state.release(a2, backend: backendA, closing: false) == .park)
        #expect(state.release(b1, backend: backendB, closing: false) == .park)
        guard case .reuse(let first) = state.lease(backend: backendA) else { Issue.record("no reuse"); return }
        #expect(first === a2)
        guard case .reuse(let second) = state.lease(backend: backendA) else { Issue.record("no reuse"); return }
        #expect(second === a1)
        guard case .connect = state.lease(backend: backendA) else { Issue.record("pool should be empty for A"); return }
        #expect(state.idleCount(backend: backendB) == 1)
    }

    @Test func closesWhenAskedOrWhenFull() {
        var state = BackendPoolState<Conn>(maxIdlePerBackend: 1)
        let key = ObjectIdentifier(Conn.self)
        #expect(state.release(Conn(), backend: key, closing: true) == .close)
        #expect(state.release(Conn(), backend: key, closing: false) == .park)
        #expect(state.release(Conn(), backend: key, closing: false) == .close)
    }

    @Test func removedAndDrainedConnectionsAreNotHandedOut() {
        var state = BackendPoolState<Conn>(maxIdlePerBackend: 4)
        let key = ObjectIdentifier(Conn.self)
        let c1 = Conn(), c2 = Conn()
        _ = state.release(c1, backend: key, closing: false)
        _ = state.release(c2, backend: key, closing: false)
        state.remove(c2, backend: key)
        guard case .reuse(let c) = state.lease(backend: key) else { Issue.record("no reuse"); return }
        #expect(c === c1)
        _ = state.release(c1, backend: key, closing: false)
        #expect(state.drain().count == 1)
        #expect(state.idleCount(backend: key) == 0)
    }

    @Test func aDrainedBackendsPlaceGoesToTheNextOneEmpty() {
        var state = BackendPoolState<Conn>(maxIdlePerBackend: 4)
        let gone = ObjectIdentifier(Conn.self), next = ObjectIdentifier(Int.self), other = ObjectIdentifier(String.self)
        let g1 = Conn(), o1 = Conn(), n1 = Conn()
        _ = state.release(g1, backend: gone, closing: false)
        _ = state.release(o1, backend: other, closing: false)
        #expect(state.drain(backend: gone).map { ObjectIdentifier($0) } == [ObjectIdentifier(g1)])
        guard case .connect = state.lease(backend: next) else { Issue.record("a new backend starts empty"); return }
        _ = state.release(n1, backend: next, closing: false)
        #expect(state.idleCount(backend: gone) == 0)
        #expect(state.idleCount(backend: next) == 1)
        #expect(state.idleCount(backend: other) == 1)
        guard case .reuse(let c) = state.lease(backend: next), c === n1 else { Issue.record("wrong connection"); return }
    }
}

@Suite struct ErrorReplyTests {
    @Test func builtInPageHasPoundsHeadersForHTTP11() {
        let reply = ErrorReply.render(status: 503, minorVersion: 1, page: nil)
        let text = String(decoding: reply.bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\nContent-Length: \(reply.bodySize)\r\nConnection: close\r\nContent-Type: text/html\r\nExpires: now\r\nPragma: no-cache\r\nCache-control: no-cache,no-store\r\n\r\n"))
        #expect(text.hasSuffix("<h1>Service Unavailable</h1><p>The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.</p></body></html>"))
        #expect(reply.statusLine == "HTTP/1.1 503 Service Unavailable")
    }

    @Test func http10ReplyHasNoLengthAndUnknownCodesBecome500() {
        let reply = ErrorReply.render(status: 418, minorVersion: 0, page: nil)
        let text = String(decoding: reply.bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.0 500 Internal Server Error\r\nContent-Type: text/html\r\n"))
        #expect(!text.contains("Content-Length"))
    }
}
