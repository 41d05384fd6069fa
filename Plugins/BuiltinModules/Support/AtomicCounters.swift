import Synchronization

/// A fixed number of atomic counters in one heap block. `Atomic` cannot live in an
/// `Array` (it is non-copyable and must not move), so the block is allocated once,
/// at a stable address, and freed with the owner.
final class AtomicCounters: @unchecked Sendable {
    // @unchecked: the block is written only through `Atomic` operations after
    // `init`, and freed only in `deinit`, when no other reference exists.
    private let base: UnsafeMutablePointer<Atomic<Int>>
    let count: Int

    init(count: Int) {
        self.count = max(count, 0)
        base = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: max(count, 1))
        for i in 0..<self.count {
            (base + i).initialize(to: Atomic(0))
        }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always)
    func load(_ i: Int) -> Int {
        base[i].load(ordering: .relaxed)
    }

    @inline(__always)
    func add(_ i: Int, _ delta: Int) {
        base[i].wrappingAdd(delta, ordering: .relaxed)
    }
}
