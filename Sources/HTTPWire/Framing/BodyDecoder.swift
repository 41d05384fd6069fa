/// Follows a message body through the byte stream without copying or changing it: the
/// engine forwards what `consume` says belongs to the body (chunk framing and trailers
/// included) and keeps the rest for the next message.
public struct BodyDecoder: Sendable {
    enum State: Sendable, Hashable {
        case done
        case failed(HTTPWireError)
        case fixed(remaining: UInt64)
        case untilClose
        case chunkLine(ChunkLineState)
        case chunkData(remaining: UInt64)
        /// After chunk data: CR (`crSeen == false`) then LF.
        case chunkDataEnd(crSeen: Bool)
        /// At the start of a trailer line or of the empty line that ends the body.
        case trailerStart
        /// CR at the start of a line: LF ends the body.
        case finalLineFeed
        /// Inside a trailer field line of `length` bytes so far: in its name (`inName`:
        /// token characters up to the colon, RFC 9112 §5), then its value; `crSeen`
        /// when LF must follow.
        case trailerLine(length: Int, inName: Bool, crSeen: Bool)
    }

    private(set) var state: State
    private let limit: UInt64?
    private let maxLineLength: Int
    private var chunkTotal: UInt64 = 0
    /// Requests: trailer fields that must not be trailers are dropped (RFC 9110
    /// §6.5.1), so the trailer section is held back and forwarded filtered.
    private let filtersTrailers: Bool
    /// The trailer section read so far, while it is held back.
    private var heldTrailer: [UInt8]?

    /// Body bytes without chunk framing: what Pound counts as the body size in its logs.
    public private(set) var payloadBytes: UInt64 = 0

    /// - Parameters:
    ///   - limit: `MaxRequest` for request bodies (nil or 0 = none, as Pound's 0). A
    ///     Content-Length above it fails at once, before any byte is accepted; chunked
    ///     bodies fail (413) at the chunk-size line that takes the total above it.
    ///   - maxLineLength: `LineBufferSize`, which bounds chunk-size and trailer lines
    ///     (400 beyond it, as Pound).
    ///   - filtersTrailers: drop trailer fields that framing, routing or credentials
    ///     read (`TrailerFields.isForbidden`); what a client sends, not a backend.
    public init(framing: BodyFraming, limit: UInt64?, maxLineLength: Int = 4096, filtersTrailers: Bool = false) {
        let limit = (limit ?? 0) > 0 ? limit : nil
        self.limit = limit
        self.maxLineLength = maxLineLength
        self.filtersTrailers = filtersTrailers
        switch framing {
        case .none:
            state = .done
        case .contentLength(let n):
            if let max = limit, n > max {
                state = .failed(.payloadTooLarge("request too large: \(n) bytes"))
            } else {
                state = n == 0 ? .done : .fixed(remaining: n)
            }
        case .chunked:
            state = .chunkLine(ChunkLineState())
        case .untilClose:
            state = .untilClose
        }
    }

    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// The error the body has failed with, if it has (also for a Content-Length over the
    /// limit, which is known before any byte).
    public var error: HTTPWireError? {
        if case .failed(let error) = state { return error }
        return nil
    }

    /// Looks at the next bytes of the stream; says how many of them (from the start)
    /// belong to this message body and whether the body ended within them. Once the body
    /// is complete every further call answers 0 bytes, finished.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Result<BodyProgress, HTTPWireError> {
        var unused: [Range<Int>] = []
        return consume(bytes, collecting: false, payload: &unused)
    }

    /// `consume`, also appending to `payload` where the body's payload lies within
    /// `bytes` (without chunk framing), for a peer that frames the body itself.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer,
                                 payload: inout [Range<Int>]) -> Result<BodyProgress, HTTPWireError> {
        consume(bytes, collecting: true, payload: &payload)
    }

    private mutating func consume(_ bytes: UnsafeRawBufferPointer, collecting: Bool,
                                  payload: inout [Range<Int>]) -> Result<BodyProgress, HTTPWireError> {
        let n = bytes.count
        switch state {
        case .done:
            return .success(BodyProgress(bodyBytes: 0, finished: true))
        case .failed(let error):
            return .failure(error)
        case .untilClose:
            payloadBytes &+= UInt64(n)
            if collecting && n > 0 { payload.append(0..<n) }
            return .success(BodyProgress(bodyBytes: n, finished: false))
        case .fixed(let remaining):
            let take = UInt64(n) < remaining ? n : Int(remaining)
            payloadBytes &+= UInt64(take)
            if collecting && take > 0 { payload.append(0..<take) }
            if UInt64(take) == remaining {
                state = .done
                return .success(BodyProgress(bodyBytes: take, finished: true))
            }
            state = .fixed(remaining: remaining &- UInt64(take))
            return .success(BodyProgress(bodyBytes: take, finished: false))
        default:
            return consumeChunked(bytes, collecting: collecting, payload: &payload)
        }
    }

    public mutating func consume(_ bytes: [UInt8]) -> Result<BodyProgress, HTTPWireError> {
        bytes.withUnsafeBytes { consume($0) }
    }

    /// The peer closed the stream. Ends an until-close body; anything else not yet
    /// complete is a truncated body (400).
    public mutating func finishAtEOF() -> Result<Void, HTTPWireError> {
        switch state {
        case .done:
            return .success(())
        case .untilClose:
            state = .done
            return .success(())
        case .failed(let error):
            return .failure(error)
        default:
            let error = HTTPWireError.badRequest("unexpected end of body")
            state = .failed(error)
            return .failure(error)
        }
    }

    private mutating func consumeChunked(_ p: UnsafeRawBufferPointer, collecting: Bool,
                                         payload: inout [Range<Int>]) -> Result<BodyProgress, HTTPWireError> {
        let n = p.count
        // Pound's line buffer: a line and its terminator fit in LineBufferSize - 1 bytes.
        let maxLine = maxLineLength > 3 ? maxLineLength &- 1 : 2
        var i = 0
        var state = self.state
        var failure: HTTPWireError?
        // Where in these bytes the held-back trailer section starts (0 when it began
        // in an earlier call).
        var heldFrom: Int? = heldTrailer == nil ? nil : 0
        bytes: while i < n {
            switch state {
            case .chunkLine(var line):
                let b = p[i]
                i &+= 1
                line.length &+= 1
                if line.length > maxLine {
                    failure = .badRequest("chunk header too long")
                    break bytes
                }
                switch line.step(b) {
                case .more:
                    state = .chunkLine(line)
                case .invalid(let why):
                    failure = .badRequest(why)
                    break bytes
                case .complete(let size):
                    let (total, overflow) = chunkTotal.addingReportingOverflow(size)
                    chunkTotal = total
                    if overflow || (limit.map { total > $0 } ?? false) {
                        failure = .payloadTooLarge("chunk content too large")
                        break bytes
                    }
                    state = size == 0 ? .trailerStart : .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let available = UInt64(n &- i)
                let take = available < remaining ? available : remaining
                if collecting && take > 0 { payload.append(i..<(i &+ Int(take))) }
                i &+= Int(take)
                payloadBytes &+= take
                state = take == remaining ? .chunkDataEnd(crSeen: false) : .chunkData(remaining: remaining &- take)
            case .chunkDataEnd(let crSeen):
                let b = p[i]
                i &+= 1
                guard b == (crSeen ? ASCII.lf : ASCII.cr) else {
                    failure = .badRequest("unexpected after chunk")
                    break bytes
                }
                state = crSeen ? .chunkLine(ChunkLineState()) : .chunkDataEnd(crSeen: true)
            case .trailerStart:
                let b = p[i]
                i &+= 1
                if b == ASCII.cr {
                    state = .finalLineFeed
                } else if ASCII.isTokenChar(b) {
                    state = .trailerLine(length: 1, inName: true, crSeen: false)
                    if filtersTrailers && heldFrom == nil {
                        heldFrom = i &- 1
                        heldTrailer = []
                    }
                } else {
                    // Not a field line (a blank before the name, a request line...).
                    failure = .badRequest("bad trailer line")
                    break bytes
                }
            case .finalLineFeed:
                let b = p[i]
                i &+= 1
                guard b == ASCII.lf else {
                    failure = .badRequest("CR not followed by LF")
                    break bytes
                }
                state = .done
                break bytes
            case .trailerLine(var length, let inName, let crSeen):
                let b = p[i]
                i &+= 1
                length &+= 1
                if length > maxLine {
                    failure = .badRequest("trailer line too long")
                    break bytes
                }
                if inName {
                    if b == ASCII.colon {
                        state = .trailerLine(length: length, inName: false, crSeen: false)
                    } else if ASCII.isTokenChar(b) {
                        state = .trailerLine(length: length, inName: true, crSeen: false)
                    } else {
                        failure = .badRequest("bad trailer line")
                        break bytes
                    }
                } else if crSeen {
                    guard b == ASCII.lf else {
                        failure = .badRequest("CR not followed by LF")
                        break bytes
                    }
                    state = .trailerStart
                } else if b == ASCII.cr {
                    state = .trailerLine(length: length, inName: false, crSeen: true)
                } else if ASCII.isForbiddenControl(b) {
                    failure = .badRequest("bad trailer line")
                    break bytes
                } else {
                    state = .trailerLine(length: length, inName: false, crSeen: false)
                }
            case .done, .failed, .fixed, .untilClose:
                // consume() only sends chunked states here.
                break bytes
            }
        }
        if failure == nil, let from = heldFrom {
            heldTrailer?.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[from..<i]))
            if (heldTrailer?.count ?? 0) > maxLineLength &* 32 { failure = .badRequest("trailer section too large") }
        }
        if let failure {
            self.state = .failed(failure)
            heldTrailer = nil
            return .failure(failure)
        }
        self.state = state
        let held = heldFrom.map { i &- $0 } ?? 0
        if case .done = state {
            let trailer = heldTrailer.map(TrailerFields.filtered)
            heldTrailer = nil
            return .success(BodyProgress(bodyBytes: i, finished: true, heldBytes: held, trailer: trailer))
        }
        return .success(BodyProgress(bodyBytes: i, finished: false, heldBytes: held))
    }
}
