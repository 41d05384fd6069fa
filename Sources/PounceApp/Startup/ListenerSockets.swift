import PoundConfig
import ProcessSupport
import ProxyCore
import RequestLog
#if canImport(Glibc)
import Glibc
#endif

/// The listening sockets, by address, opened once and kept for as long as some
/// configuration uses them. A single process opens them at start-up; a supervisor
/// also on each reload, where only the addresses the new configuration adds are bound
/// (every other one is the same socket, with its accept queue, that the workers share).
final class ListenerSockets {
    private var open: [ListenerAddress: Int32] = [:]

    /// The descriptor of every listener of `config`, in its order: the ones already open
    /// reused, the others bound (or received through `SocketFrom`) now. On a failure,
    /// the ones opened by this call are closed again.
    func sockets(for config: PoundConfiguration, log: LogSink) throws(StartupFailure) -> [Int32] {
        var result: [Int32] = []
        var added: [ListenerAddress] = []
        for listener in config.listeners {
            if let fd = open[listener.address] {
                result.append(fd)
                continue
            }
            let fd: Int32
            switch listener.address {
            case .socketFrom(let path):
                do {
                    let received = try SocketFrom.receiveListeningSocket(path: path)
                    log.log(.debug, SocketFrom.obtainedAddressMessage(location: listener.range.description,
                                                                      address: received.address))
                    fd = received.fd
                } catch {
                    discard(added)
                    throw StartupFailure(range: listener.range, message: "\(error)")
                }
            case .inet(let address):
                do {
                    fd = try ListeningSocket.open(address)
                } catch {
                    discard(added)
                    throw StartupFailure(range: listener.range, message: "\(error)")
                }
            }
            open[listener.address] = fd
            added.append(listener.address)
            result.append(fd)
        }
        return result
    }

    /// Closes the sockets no listener of `config` uses any more.
    func keepOnly(_ config: PoundConfiguration) {
        let used = Set(config.listeners.map(\.address))
        discard(open.keys.filter { !used.contains($0) })
    }

    private func discard(_ addresses: [ListenerAddress]) {
        for address in addresses {
            if let fd = open.removeValue(forKey: address) { close(fd) }
        }
    }
}
