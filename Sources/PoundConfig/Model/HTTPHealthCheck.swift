/// Pounce extension: an active HTTP health check in HAProxy's style (`option httpchk`,
/// `http-check expect status`, `inter`, `rise`, `fall`, `timeout check`), written as
/// `HealthCheck "HEAD /check.txt"` and the `HealthCheck...` statements after it, in a
/// `Backend` block or in a `Service` (then it applies to each server backend of the
/// service that has no check of its own).
public struct HTTPHealthCheck: Sendable, Hashable {
    /// Request method, `GET` unless the request text names one.
    public var method: String
    /// Request target, starting with `/`.
    public var path: String
    /// Status codes counted as healthy (`HealthCheckExpect`). HAProxy's default
    /// counts 2xx and 3xx as success.
    public var expect: ClosedRange<Int> = 200...399
    /// Seconds between checks (`HealthCheckInterval`); nil: the global `Alive`.
    public var interval: Int?
    /// Consecutive good answers that bring a dead backend back (`HealthCheckRise`).
    public var rise = 2
    /// Consecutive failures that kill a live backend (`HealthCheckFall`).
    public var fall = 3
    /// Seconds a check may take, connect included (`HealthCheckTimeout`); nil: the
    /// interval, as HAProxy's `timeout check` defaults to `inter`.
    public var timeout: Int?
    /// The `HealthCheck` statement, for diagnostics.
    public var range: LocusRange = .unset

    public init(method: String = "GET", path: String) {
        self.method = method
        self.path = path
    }

    /// The interval in effect when the global `Alive` is `alive` seconds.
    public func effectiveInterval(alive: Int) -> Int { max(interval ?? alive, 1) }

    /// The timeout in effect when the global `Alive` is `alive` seconds.
    public func effectiveTimeout(alive: Int) -> Int { max(timeout ?? effectiveInterval(alive: alive), 1) }

    public static func == (a: HTTPHealthCheck, b: HTTPHealthCheck) -> Bool {
        a.method == b.method && a.path == b.path && a.expect == b.expect && a.interval == b.interval
            && a.rise == b.rise && a.fall == b.fall && a.timeout == b.timeout
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(path)
    }
}
