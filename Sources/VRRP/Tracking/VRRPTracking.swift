/// Tracked health signals folded into what the state machine needs: an effective priority and a
/// fault flag, with keepalived's rules (vrrp_script/track_script):
/// - weight > 0 is added to the priority while the signal is healthy;
/// - weight < 0 is subtracted while it is failing;
/// - weight 0 puts the instance in FAULT while it is failing.
/// A signal changes side only after `fall` failures or `rise` successes in a row, and starts
/// healthy, as keepalived's scripts do without `init_fail`.
public struct VRRPTracking: Sendable, Hashable {
    public struct Signal: Sendable, Hashable {
        public var weight: Int
        public var fall: Int
        public var rise: Int
        public internal(set) var healthy = true
        /// Results in a row that disagree with `healthy`.
        var streak = 0

        public init(weight: Int, fall: Int = 1, rise: Int = 1) {
            self.weight = weight
            self.fall = max(fall, 1)
            self.rise = max(rise, 1)
        }
    }

    public let basePriority: UInt8
    public private(set) var signals: [Signal]

    public init(basePriority: UInt8, signals: [Signal]) {
        self.basePriority = basePriority
        self.signals = signals
    }

    /// Records one check result; true when the signal changed side.
    @discardableResult
    public mutating func record(_ index: Int, success: Bool) -> Bool {
        guard signals.indices.contains(index) else { return false }
        if success == signals[index].healthy {
            signals[index].streak = 0
            return false
        }
        signals[index].streak += 1
        let needed = success ? signals[index].rise : signals[index].fall
        guard signals[index].streak >= needed else { return false }
        signals[index].healthy = success
        signals[index].streak = 0
        return true
    }

    /// The priority on the wire. The owner's 255 is not adjusted (keepalived ignores weights for
    /// an address owner); everyone else stays within 1...254.
    public var effectivePriority: UInt8 {
        guard basePriority < 255 else { return 255 }
        var priority = Int(basePriority)
        for signal in signals {
            if signal.weight > 0, signal.healthy { priority += signal.weight }
            if signal.weight < 0, !signal.healthy { priority += signal.weight }
        }
        return UInt8(min(max(priority, 1), 254))
    }

    /// A weight-0 signal is failing.
    public var fault: Bool {
        signals.contains { $0.weight == 0 && !$0.healthy }
    }
}
