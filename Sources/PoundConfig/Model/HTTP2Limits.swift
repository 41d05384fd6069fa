/// Pounce extension: the HTTP/2 limits of a client-facing listener, set by the
/// `HTTP2Max...` and `HTTP2WindowSize` statements of `ListenHTTP` and `ListenHTTPS`.
/// Whether the listener speaks HTTP/2 at all is `Listener.servesHTTP2`; the values are
/// carried whatever it says, and apply whenever HTTP/2 is on.
///
/// The rate limits count frames in a sliding window of `rateWindowSeconds` seconds; a
/// client that goes over is sent GOAWAY with ENHANCE_YOUR_CALM and disconnected.
public struct HTTP2Limits: Sendable, Hashable {
    /// The window, in seconds, `maxResets` and `maxControlFrames` are counted over.
    public static let rateWindowSeconds = 30

    /// `HTTP2MaxStreams`: concurrent streams a client may open on one connection
    /// (advertised as SETTINGS_MAX_CONCURRENT_STREAMS).
    public var maxConcurrentStreams = 100
    /// `HTTP2MaxHeaderList`: largest header list, in bytes, a request may carry once
    /// decompressed (SETTINGS_MAX_HEADER_LIST_SIZE; guards against HPACK bombs).
    public var maxHeaderListSize = 65536
    /// `HTTP2MaxResets`: RST_STREAM frames a client may send per `rateWindowSeconds`
    /// (rapid reset, CVE-2023-44487).
    public var maxResets = 200
    /// `HTTP2MaxContinuations`: CONTINUATION frames allowed in one header block
    /// (CONTINUATION flood, CVE-2024-27316).
    public var maxContinuations = 5
    /// `HTTP2MaxControlFrames`: SETTINGS, PING and PRIORITY frames a client may send
    /// per `rateWindowSeconds`.
    public var maxControlFrames = 200
    /// `HTTP2MaxEmptyFrames`: consecutive DATA frames without payload or END_STREAM
    /// tolerated on a stream.
    public var maxEmptyDataFrames = 1
    /// `HTTP2WindowSize`: the per-stream receive window Pounce advertises
    /// (SETTINGS_INITIAL_WINDOW_SIZE), in bytes.
    public var initialWindowSize = 65535

    public init() {}
}
