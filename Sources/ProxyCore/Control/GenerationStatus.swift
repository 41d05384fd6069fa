#if canImport(Glibc)
import Glibc
#endif

/// Which configuration a supervised worker serves: its generation (1 at start, one
/// more for each reload or restart) and when it started (wall clock, seconds since the
/// epoch). Shown in the control API's core object, the status page and the metrics; a
/// single process has none.
public struct GenerationStatus: Sendable, Equatable {
    public var generation: Int
    public var startedAt: time_t

    public init(generation: Int, startedAt: time_t) {
        self.generation = generation
        self.startedAt = startedAt
    }
}
