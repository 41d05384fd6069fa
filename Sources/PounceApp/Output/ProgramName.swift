/// The name diagnostics are prefixed with: the basename of argv[0], so a symlink named
/// `pound` makes Pounce speak as `pound: ...` (Pound's test suite and log parsers rely on it).
public struct ProgramName: Sendable, Equatable {
    /// argv[0] as invoked (getopt's messages use it unchanged).
    public let invocation: String
    public let name: String

    public init(argv0: String) {
        invocation = argv0
        let base = argv0.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? argv0
        name = base.isEmpty ? "pounce" : base
    }
}
