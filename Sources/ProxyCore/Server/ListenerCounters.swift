import Synchronization

/// What happens to one listener's connections, counted by the event loops and read by
/// the control interface, the metrics and the VRRP listener check.
final class ListenerCounters: Sendable {
    /// Connections taken in by an event loop; the VRRP listener check watches it move.
    let accepted = Atomic<Int>(0)
    /// HTTPS connections closed because their TLS handshake took longer than `Client`.
    let handshakeTimeouts = Atomic<Int>(0)
}
