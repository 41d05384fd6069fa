import Atomics

/// Content read from a file: fixed for `-file`, replaceable for `-filewatch`.
///
/// A watched value is an immutable snapshot behind an atomic reference. Requests only
/// load it, without a lock; the watcher thread builds the next snapshot and swaps it
/// in, and a request that loaded the old one keeps using it to the end. Copies of a
/// `FileContent` share the snapshot (a named ACL used in several places is one file).
struct FileContent<Value: Sendable>: Sendable {
    private final class Snapshot: AtomicReference, Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private enum Storage: Sendable {
        case fixed(Value)
        case watched(ManagedAtomic<Snapshot>)
    }

    private let storage: Storage

    static func fixed(_ value: Value) -> FileContent { FileContent(storage: .fixed(value)) }

    static func watched(_ initial: Value) -> FileContent {
        FileContent(storage: .watched(ManagedAtomic(Snapshot(initial))))
    }

    private init(storage: Storage) {
        self.storage = storage
    }

    var isWatched: Bool {
        if case .watched = storage { return true }
        return false
    }

    /// The content now.
    var current: Value {
        switch storage {
        case .fixed(let value): value
        case .watched(let atomic): atomic.load(ordering: .acquiring).value
        }
    }

    /// Puts `value` in place of the content (ignored for fixed content).
    func replace(with value: Value) {
        if case .watched(let atomic) = storage {
            atomic.store(Snapshot(value), ordering: .releasing)
        }
    }
}
