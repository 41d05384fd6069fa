import PounceModuleAPI
import Synchronization

/// Balancer `leastconn` (HAProxy's name): the usable backend with the fewest
/// requests in flight for its weight.
///
/// Pounce reports each request's start and end (`countsRequests`); the counts are
/// atomic, one per backend. A backend's load is (in flight + 1) / weight, the load
/// it would have with this request, as HAProxy ranks servers: with nothing in
/// flight a heavier backend is preferred, and weights 1 and 3 take 1 and 3 of 4
/// concurrent requests. Ties go round robin: the scan starts one backend further at
/// each choice, and the first of the least loaded in scan order wins.
///
/// Two choices made at the same moment may both see the same backend as the least
/// loaded (its count only moves when Pounce reports the start): the counts steer,
/// they do not reserve.
public final class LeastConnBalancerModule: BalancerModule {
    private let weights: [Int]
    private let inFlight: AtomicCounters
    private let rotation = Atomic<UInt>(0)

    public init(setup: BalancerSetup) {
        weights = setup.backends.map(\.weight)
        inFlight = AtomicCounters(count: setup.backends.count)
    }

    public var countsRequests: Bool { true }

    public func requestStarted(on backend: Int) {
        guard backend >= 0, backend < inFlight.count else { return }
        inFlight.add(backend, 1)
    }

    public func requestFinished(on backend: Int) {
        guard backend >= 0, backend < inFlight.count else { return }
        inFlight.add(backend, -1)
    }

    /// Requests in flight on `backend` (tests, diagnostics).
    public func requestsInFlight(on backend: Int) -> Int {
        guard backend >= 0, backend < inFlight.count else { return 0 }
        return inFlight.load(backend)
    }

    public func choose(usable: UnsafeBufferPointer<Bool>, key: String?) -> Int? {
        weights.withUnsafeBufferPointer { weights in
            let n = min(usable.count, weights.count)
            guard n > 0 else { return nil }
            let start = Int(rotation.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(n))
            var best = -1
            var bestLoad = 0
            var bestWeight = 1
            var i = start
            for _ in 0..<n {
                if usable[i], weights[i] > 0 {
                    // A stray extra `requestFinished` must not make a backend look
                    // better than idle.
                    let load = max(inFlight.load(i), 0) + 1
                    // load / weight < bestLoad / bestWeight, without division.
                    if best < 0 || load * bestWeight < bestLoad * weights[i] {
                        best = i
                        bestLoad = load
                        bestWeight = weights[i]
                    }
                }
                i += 1
                if i == n { i = 0 }
            }
            return best < 0 ? nil : best
        }
    }
}
