import NIOCore

/// State owned by one event loop: its backend connection pool and the client
/// connections it serves. Only ever touched on that loop, which is what makes the
/// request path lock-free; `@unchecked Sendable` lets the immutable table of loop
/// contexts be shared, not the contents.
final class LoopContext: @unchecked Sendable {
    let eventLoop: EventLoop
    let index: Int
    let pool: BackendPool
    private var clients: [ObjectIdentifier: ClientConnectionHandler] = [:]
    private(set) var isShuttingDown = false
    /// What Pound prints as `(tid)` in diagnostics: here the event loop thread.
    let threadTag: String

    init(eventLoop: EventLoop, index: Int) {
        self.eventLoop = eventLoop
        self.index = index
        self.pool = BackendPool(eventLoop: eventLoop)
        self.threadTag = String(0x1000 + index, radix: 16)
    }

    func register(_ client: ClientConnectionHandler) {
        eventLoop.assertInEventLoop()
        clients[ObjectIdentifier(client)] = client
    }

    func unregister(_ client: ClientConnectionHandler) {
        eventLoop.assertInEventLoop()
        clients[ObjectIdentifier(client)] = nil
    }

    /// Graceful stop: idle connections close now, busy ones after their exchange.
    func beginShutdown() {
        eventLoop.assertInEventLoop()
        isShuttingDown = true
        for client in clients.values { client.closeWhenIdle() }
        pool.closeAll()
    }
}

/// Finds the `LoopContext` of an event loop without locks: the table is built once
/// before any connection is accepted and never changes.
struct LoopContexts: Sendable {
    private let byLoop: [ObjectIdentifier: LoopContext]
    let all: [LoopContext]

    init(group: EventLoopGroup) {
        var all: [LoopContext] = []
        for loop in group.makeIterator() {
            all.append(LoopContext(eventLoop: loop, index: all.count))
        }
        self.all = all
        self.byLoop = Dictionary(uniqueKeysWithValues: all.map { (ObjectIdentifier($0.eventLoop), $0) })
    }

    func context(for loop: EventLoop) -> LoopContext? {
        byLoop[ObjectIdentifier(loop)]
    }
}
