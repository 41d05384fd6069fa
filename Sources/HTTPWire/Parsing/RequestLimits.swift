/// The listener settings that bound what a client may send in a request head.
public struct RequestLimits: Sendable, Hashable {
    /// Pound's `LineBufferSize` (default 4096): a line, its CRLF or LF included, must fit
    /// in `maxLineLength - 1` bytes (Pound's buffer keeps one byte for the NUL).
    /// A longer request line is 414, a longer header line 413.
    public var maxLineLength: Int
    /// `MaxURI`: a request target longer than this is 414. nil or 0 = no limit (Pound: 0).
    public var maxURILength: Int?
    /// More header lines than this is 413. Pound has no such limit; nil or 0 = none.
    public var maxHeaderCount: Int?
    /// `xHTTP` (0-3): a known method of a higher group is 405. The default allows every
    /// method Pound knows; unknown methods are 400 whatever this says.
    public var allowedMethodGroup: Int

    public init(
        maxLineLength: Int = 4096,
        maxURILength: Int? = nil,
        maxHeaderCount: Int? = nil,
        allowedMethodGroup: Int = 3
    ) {
        self.maxLineLength = maxLineLength
        self.maxURILength = maxURILength
        self.maxHeaderCount = maxHeaderCount
        self.allowedMethodGroup = allowedMethodGroup
    }
}
