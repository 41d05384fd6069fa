/// What `Pattern` needs from each matching back end.
///
/// Subjects reach an engine already normalised by `Pattern`: cut at the
/// first NUL byte and with a non-nil base address even when empty, so the
/// C libraries never see a NULL pointer and every engine agrees on where
/// the subject ends.
protocol PatternEngine: Sendable {
    /// Capture groups, excluding the whole match.
    var groupCount: Int { get }
    func matches(_ subject: UnsafeRawBufferPointer) -> Bool
    func firstMatch(in subject: UnsafeRawBufferPointer) -> PatternMatch?
}
