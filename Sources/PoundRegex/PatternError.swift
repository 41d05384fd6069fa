/// Why a pattern failed to compile, as Pound's `genpat_error` reports it.
///
/// The config layer formats this exactly like Pound does:
/// `"\(message) at byte \(offset)"` when `offset != 0`, else `message`
/// (so a PCRE2 error at byte 0 prints no offset, just as in Pound).
public struct PatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `regerror()` text for POSIX, `pcre2_get_error_message()` text for PCRE.
    public let message: String
    /// Byte offset into the pattern for PCRE; always 0 for POSIX, whose API
    /// has no notion of an error position.
    public let offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// The text Pound prints for this error (without the locus prefix).
    public var description: String {
        offset != 0 ? "\(message) at byte \(offset)" : message
    }
}
