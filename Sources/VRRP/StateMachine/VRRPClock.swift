/// A point on the driver's monotonic clock, in microseconds. The state machine never reads a clock:
/// the driver passes `now` with every event, so tests run on a virtual clock.
public struct VRRPInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    public static let zero = VRRPInstant(microseconds: 0)

    public func advanced(by duration: VRRPDuration) -> VRRPInstant {
        VRRPInstant(microseconds: microseconds + duration.microseconds)
    }

    public static func + (lhs: VRRPInstant, rhs: VRRPDuration) -> VRRPInstant {
        lhs.advanced(by: rhs)
    }

    public static func < (lhs: VRRPInstant, rhs: VRRPInstant) -> Bool {
        lhs.microseconds < rhs.microseconds
    }

    public var description: String { "\(microseconds)µs" }
}

/// A span of time in microseconds: fine enough for v2's (256 - priority)/256 s skew, which is not
/// a whole number of centiseconds.
public struct VRRPDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    public static func microseconds(_ us: Int64) -> VRRPDuration { VRRPDuration(microseconds: us) }
    public static func seconds(_ s: Int64) -> VRRPDuration { VRRPDuration(microseconds: s * 1_000_000) }
    public static func centiseconds(_ cs: Int64) -> VRRPDuration { VRRPDuration(microseconds: cs * 10_000) }
    public static func milliseconds(_ ms: Int64) -> VRRPDuration { VRRPDuration(microseconds: ms * 1_000) }

    public static let zero = VRRPDuration(microseconds: 0)

    public static func + (lhs: VRRPDuration, rhs: VRRPDuration) -> VRRPDuration {
        VRRPDuration(microseconds: lhs.microseconds + rhs.microseconds)
    }

    public static func < (lhs: VRRPDuration, rhs: VRRPDuration) -> Bool {
        lhs.microseconds < rhs.microseconds
    }

    public var description: String { "\(microseconds)µs" }
}

extension VRRPVersion {
    /// `count` intervals in the version's unit: whole seconds for v2, centiseconds for v3.
    public func intervals(_ count: Int64) -> VRRPDuration {
        self == .v2 ? .seconds(count) : .centiseconds(count)
    }
}
