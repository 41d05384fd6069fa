import Foundation
import NIOCore
import NIOPosix
import ProcessSupport
import ProxyCore
import Routing

/// The worker's end of the link: answers the supervisor's questions (the session
/// tables for a reload, the health checks VRRP tracks, the hand-over of accepting) and
/// takes its VRRP state, on a thread of its own. The
/// checks run their I/O on one more event loop, apart from the proxy's, so a stalled
/// proxy cannot also stall the check that is meant to notice it.
final class LinkResponder: Sendable {
    private let link: LinkConnection
    private let server: ProxyServer
    private let routing: RoutingTable
    private let failover: FailoverRelay
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    init(link: LinkConnection, server: ProxyServer, routing: RoutingTable, failover: FailoverRelay) {
        self.link = link
        self.server = server
        self.routing = routing
        self.failover = failover
    }

    func start() {
        let thread = Thread { [self] in serve() }
        thread.name = "supervisor link"
        thread.start()
    }

    private func serve() {
        // End of file: the supervisor is gone, and the parent-death signal ends this process.
        while let line = link.readLine(deadline: nil) {
            guard let (id, request) = LinkRequest.parse(line) else { continue }
            switch request {
            case .sessions:
                let bytes = routing.exportSessions().encoded()
                link.write(LinkReply.data(length: bytes.count).line(id: id))
                link.write(bytes)
            case .listenerAccepts(let index, let ms):
                answer(id, try? server.listenerAccepts(index, timeout: .milliseconds(Int64(ms)), on: group.next()).wait())
            case .loopsRespond(let ms):
                answer(id, try? server.loopsRespond(within: .milliseconds(Int64(ms)), on: group.next()).wait())
            case .failover(let text):
                answer(id, failover.update(text))
            case .accepting(let on):
                server.setAccepting(on)
                answer(id, true)
            case .usableBackends(let service):
                link.write(LinkReply.word(server.usableBackends(service: service).map(String.init) ?? "none").line(id: id))
            }
        }
    }

    private func answer(_ id: UInt64, _ yes: Bool?) {
        link.write(LinkReply.word(yes == true ? "yes" : "no").line(id: id))
    }
}
