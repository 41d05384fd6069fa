import NIOCore
import NIOPosix
import PoundConfig
import ProcessSupport
import ProxyCore
import Synchronization

/// What VRRP's `Track` checks ask about the proxy's own health. A single process
/// answers for itself (`ProxyServer`); a supervisor asks its serving worker over the
/// link (`SupervisedHealth`).
protocol ProxyHealth: Sendable {
    /// A listener by its name or its index in the file.
    func listenerIndex(_ reference: String) -> Int?
    func listenerAccepts(_ index: Int, timeout: TimeAmount, on loop: EventLoop) -> EventLoopFuture<Bool>
    func loopsRespond(within bound: TimeAmount, on loop: EventLoop) -> EventLoopFuture<Bool>
    /// Usable backends of the named service; nil for no such service.
    func usableBackends(service: String, on loop: EventLoop) -> EventLoopFuture<Int?>
}

extension ProxyServer: ProxyHealth {
    func usableBackends(service: String, on loop: EventLoop) -> EventLoopFuture<Int?> {
        loop.makeSucceededFuture(usableBackends(service: service))
    }
}

/// The serving worker's health, asked over its link from a thread of its own (the link
/// blocks). While no worker serves (one is being restarted) every check passes: the
/// supervisor's restart backoff decides when that becomes a fault, so that one crash
/// does not move the floating address.
final class SupervisedHealth: ProxyHealth {
    let link = Mutex<WorkerLink?>(nil)
    private let config: PoundConfiguration
    private let pool = NIOThreadPool(numberOfThreads: 1)

    init(config: PoundConfiguration) {
        self.config = config
        pool.start()
    }

    func listenerIndex(_ reference: String) -> Int? {
        ProxyServer.listenerIndex(reference, in: config)
    }

    func listenerAccepts(_ index: Int, timeout: TimeAmount, on loop: EventLoop) -> EventLoopFuture<Bool> {
        ask(.listenerAccepts(index: index, milliseconds: Self.milliseconds(timeout)), timeout: timeout, on: loop,
            noWorker: true) { $0 == "yes" }
    }

    func loopsRespond(within bound: TimeAmount, on loop: EventLoop) -> EventLoopFuture<Bool> {
        ask(.loopsRespond(milliseconds: Self.milliseconds(bound)), timeout: bound, on: loop, noWorker: true) {
            $0 == "yes"
        }
    }

    func usableBackends(service: String, on loop: EventLoop) -> EventLoopFuture<Int?> {
        ask(.usableBackends(service: service), timeout: .seconds(2), on: loop, noWorker: Int.max) { Int($0) }
    }

    /// Asks the serving worker; `interpret` turns its answer into the check's value, and
    /// `noWorker` is the value while none serves. A worker that does not answer within
    /// the check's own timeout (plus a margin for the link) is unhealthy.
    private func ask<T: Sendable>(_ request: LinkRequest, timeout: TimeAmount, on loop: EventLoop, noWorker: T,
                                  _ interpret: @escaping @Sendable (String) -> T) -> EventLoopFuture<T> {
        let link = self.link.withLock { $0 }
        guard let link else { return loop.makeSucceededFuture(noWorker) }
        let seconds = Double(timeout.nanoseconds) / 1e9 + 1
        return pool.runIfActive(eventLoop: loop) {
            switch link.ask(request, timeout: seconds) {
            case .answer(let word): interpret(word)
            // It died while asked: its replacement is on the way, and the restart
            // backoff, not this check, decides when that is a fault.
            case .gone: noWorker
            case .silent, .data: interpret("no")
            }
        }
    }

    private static func milliseconds(_ t: TimeAmount) -> Int { Int(max(t.nanoseconds, 0) / 1_000_000) }
}
