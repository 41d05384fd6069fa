import PoundConfig

/// A socket that could not be opened at start-up or on a reload, at the configuration
/// statement that asked for it (Pound's `abend` at that location).
struct StartupFailure: Error {
    let range: LocusRange
    let message: String
}
