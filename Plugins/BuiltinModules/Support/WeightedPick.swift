/// Pound's weighted random choice (`rand_select`): a number below the sum of the
/// usable backends' weights picks the backend whose cumulative weight passes it, in
/// configuration order. A weight-0 backend is therefore never chosen (Pound 4.23
/// rejects `Priority 0`; a module's setup may still carry it).
enum WeightedPick {
    static func choose(usable: UnsafeBufferPointer<Bool>, weights: UnsafeBufferPointer<Int>,
                       random: any RandomNumberSource) -> Int? {
        let n = min(usable.count, weights.count)
        var sum: UInt64 = 0
        for i in 0..<n where usable[i] {
            sum &+= UInt64(max(weights[i], 0))
        }
        guard sum > 0 else { return nil }
        var pick = random.next(below: sum)
        for i in 0..<n where usable[i] {
            let w = UInt64(max(weights[i], 0))
            if pick < w { return i }
            pick -= w
        }
        return nil
    }
}
