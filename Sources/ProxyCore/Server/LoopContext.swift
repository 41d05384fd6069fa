import NIOCore
import Routing

/// A connection the loop watches: timeouts checked by the loop's sweep, and told to
/// stop when the server shuts down gracefully.
protocol LoopConnection: AnyObject {
    func checkTimeouts(now: UInt64)
    func closeWhenIdle()
    /// Closes at once, with no callbacks left pending: the loop is about to stop.
    func abort()
}

/// State owned by one event loop: its backend connection pool and the client
/// connections it serves. Only ever touched on that loop, which is what makes the
/// request path lock-free; `@unchecked Sendable` lets the immutable table of loop
/// contexts be shared, not the contents.
final class LoopContext: @unchecked Sendable {
    let eventLoop: EventLoop
    let index: Int
    let pool: BackendPool
    let flusher: FlushBatcher
    private var clients: [ObjectIdentifier: any LoopConnection] = [:]
    private var sweeper: RepeatedTask?
    /// What Pound prints as `(tid)` in diagnostics: here the event loop thread.
    let threadTag: String

    init(eventLoop: EventLoop, index: Int) {
        self.eventLoop = eventLoop
        self.index = index
        let threadTag = ThreadTag.forLoop(index)
        self.pool = BackendPool(eventLoop: eventLoop, threadTag: threadTag)
        self.flusher = FlushBatcher(eventLoop: eventLoop)
        self.threadTag = threadTag
    }

    func register(_ client: any LoopConnection) {
        eventLoop.assertInEventLoop()
        clients[ObjectIdentifier(client)] = client
    }

    func unregister(_ client: any LoopConnection) {
        eventLoop.assertInEventLoop()
        clients[ObjectIdentifier(client)] = nil
    }

    /// Starts the once-a-second timeout sweep of this loop's connections.
    func startSweep() {
        sweeper = eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            let now = Clock.nowNanos()
            for client in self.clients.values { client.checkTimeouts(now: now) }
        }
    }

    /// The end of a stop: whatever is still open closes now, before the event loop
    /// shuts down (a callback scheduled on a stopped loop is an error in NIO).
    func abortAll() {
        eventLoop.assertInEventLoop()
        sweeper?.cancel()
        sweeper = nil
        for client in Array(clients.values) { client.abort() }
        pool.closeAll()
    }

    /// Graceful stop: idle connections close now, busy ones after their exchange.
    func beginShutdown() {
        eventLoop.assertInEventLoop()
        sweeper?.cancel()
        sweeper = nil
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
