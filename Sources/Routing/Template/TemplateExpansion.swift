/// The result of expanding a template for one request.
public struct TemplateExpansion: Sendable, Equatable {
    public var text: String
    /// Pound's warnings for failed references and syntax errors; non-empty means the
    /// expansion failed (Pound returns NULL and the caller answers 500).
    public var errors: [String]
    /// Warnings that do not fail the expansion (an unknown `%[const]` encoding).
    public var warnings: [String]

    public var succeeded: Bool { errors.isEmpty }
}
