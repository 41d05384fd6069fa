import Synchronization
import VRRP

/// The supervisor's VRRP instances as last told over the link (once a second, and when a
/// worker starts serving), for the worker's control API, status page and metrics: the
/// instances run in the supervisor, which outlives the workers.
final class FailoverRelay: Sendable {
    private let latest = Mutex<[VRRPStatus]>([])

    var statuses: [VRRPStatus] { latest.withLock { $0 } }

    /// Takes the text the supervisor sent; false (nothing changed) when it does not read.
    func update(_ text: String) -> Bool {
        var statuses: [VRRPStatus] = []
        for line in text.split(separator: "\n") {
            guard let status = VRRPStatus(text: line) else { return false }
            statuses.append(status)
        }
        latest.withLock { $0 = statuses }
        return true
    }
}
