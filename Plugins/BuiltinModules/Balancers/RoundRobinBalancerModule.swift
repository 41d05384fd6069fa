import PounceModuleAPI
import Synchronization

/// Balancer `roundrobin` (HAProxy's name): smooth weighted round robin. Weights 3
/// and 1 give A A B A, spreading each backend's turns over the cycle instead of
/// sending it a burst (as iwrr's first round does).
///
/// The order is computed once, at set-up, with nginx's smooth WRR (each step adds
/// every weight to its backend's credit, picks the highest credit and takes the
/// total off it); a choice then only advances one atomic counter through that
/// schedule. An unusable backend's turns are shared by the usable ones in
/// proportion to their weights, so each keeps its share of the whole.
public final class RoundRobinBalancerModule: BalancerModule {
    /// Past this many slots the weights are scaled down (keeping every positive
    /// weight at least 1), bounding memory and set-up time; Pound allows weights up
    /// to 65535 per backend.
    public static let maxScheduleLength = 16_384

    /// Backend indices in the order they take their turns; a backend of weight 0
    /// has none.
    let schedule: [UInt32]
    /// The weights the schedule was built from (reduced, perhaps scaled).
    private let weights: [Int]
    private let next = Atomic<UInt>(0)
    /// Numbers the turns of unusable backends.
    private let spill = Atomic<UInt>(0)

    public init(setup: BalancerSetup) {
        weights = Self.scheduleWeights(setup.backends.map(\.weight))
        schedule = Self.smoothSchedule(weights: weights)
    }

    public func choose(usable: UnsafeBufferPointer<Bool>, key: String?) -> Int? {
        schedule.withUnsafeBufferPointer { schedule in
            let length = schedule.count
            guard length > 0 else { return nil }
            let ticket = next.wrappingAdd(1, ordering: .relaxed).oldValue
            let backend = Int(schedule[Int(ticket % UInt(length))])
            if backend < usable.count, usable[backend] { return backend }
            // A dead backend's turn goes to the usable ones in proportion to their
            // weights, through a counter of their own (passing it to the next slot
            // of the schedule would favour whoever follows the dead backend).
            return weightedTurn(spill.wrappingAdd(1, ordering: .relaxed).oldValue, usable: usable)
        }
    }

    /// The backend whose cumulative weight, among the usable ones, passes `ticket`
    /// modulo their total: each usable backend gets its share of the tickets.
    private func weightedTurn(_ ticket: UInt, usable: UnsafeBufferPointer<Bool>) -> Int? {
        weights.withUnsafeBufferPointer { weights in
            let n = min(usable.count, weights.count)
            var total = 0
            for i in 0..<n where usable[i] { total += weights[i] }
            guard total > 0 else { return nil }
            var pick = Int(ticket % UInt(total))
            for i in 0..<n where usable[i] {
                if pick < weights[i] { return i }
                pick -= weights[i]
            }
            return nil
        }
    }

    /// The weights reduced by their common divisor (3:6 needs a cycle of 3, not 9),
    /// then scaled down if the cycle would exceed `maxScheduleLength`; a positive
    /// weight stays at least 1, a non-positive one becomes 0 (never chosen).
    static func scheduleWeights(_ weights: [Int]) -> [Int] {
        var w = weights.map { max($0, 0) }
        let divisor = w.reduce(0) { gcd($0, $1) }
        guard divisor > 0 else { return w }
        w = w.map { $0 / divisor }
        let total = w.reduce(0, +)
        if total > maxScheduleLength {
            w = w.map { $0 == 0 ? 0 : max(1, $0 * maxScheduleLength / total) }
        }
        return w
    }

    /// nginx's smooth weighted round-robin order for `weights`: a cycle of
    /// sum(weights) turns, each backend's spread evenly over it. Set-up costs
    /// O(turns × backends), once per group.
    static func smoothSchedule(weights w: [Int]) -> [UInt32] {
        let total = w.reduce(0) { $0 + max($1, 0) }
        var credit = [Int](repeating: 0, count: w.count)
        var schedule: [UInt32] = []
        schedule.reserveCapacity(total)
        for _ in 0..<total {
            var best = -1
            for i in w.indices where w[i] > 0 {
                credit[i] += w[i]
                if best < 0 || credit[i] > credit[best] { best = i }
            }
            credit[best] -= total
            schedule.append(UInt32(truncatingIfNeeded: best))
        }
        return schedule
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
