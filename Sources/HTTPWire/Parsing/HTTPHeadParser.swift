/// Request and response heads from the start of a byte stream.
///
/// Each call looks at the whole buffer again, so a head that arrives in pieces is parsed
/// once per piece; the first pass only frames and validates lines (no allocation), and
/// Strings are built only once the empty line that ends the head is there.
///
/// Pound 4.23 rules kept (statuses are what `HTTPWireError.status` carries):
/// - empty lines before the request line are skipped (Pound: "HTTP/1.1 allows leading CRLF");
/// - CRLF or bare LF ends a line; CR before anything but LF, and any control byte except HT,
///   is bad data: 400 in the request line. In a header line Pound answers 500 (its reader
///   maps that case to an internal error); we answer 400, the client's fault;
/// - a request line longer than `LineBufferSize` is 414, a header line 413;
/// - a line Pound's header pattern refuses (blank before the colon, obs-fold continuation,
///   no colon, non-token name) is silently dropped by Pound. In requests we answer 400
///   instead (RFC 9112 §5.1/§5.2), which is safer: no proxy/backend disagreement about a
///   field only one of them saw. In responses we drop it, as Pound does.
public enum HTTPHeadParser {
    public static func parseRequest(
        _ p: UnsafeRawBufferPointer, limits: RequestLimits
    ) -> HeadParseResult<HTTPRequestHead> {
        let maxLine = limits.maxLineLength
        var pos = 0
        var requestLine: RequestLine
        startLine: while true {
            switch LineScanner.scan(p, from: pos, maxLineLength: maxLine) {
            case .incomplete:
                return .incomplete
            case .tooLong:
                return .failure(HTTPWireError(status: 414, reason: "request line too long"))
            case .badData(let why):
                return .failure(.badRequest(why))
            case .line(let contentEnd, let next):
                if contentEnd == pos {
                    pos = next
                    continue
                }
                switch RequestLine.parse(p, start: pos, end: contentEnd, limits: limits) {
                case .failure(let error):
                    return .failure(error)
                case .success(let parsed):
                    requestLine = parsed
                    pos = next
                    break startLine
                }
            }
        }

        let headersStart = pos
        var count = 0
        let maxCount = limits.maxHeaderCount.flatMap { $0 > 0 ? $0 : nil } ?? Int.max
        fieldLines: while true {
            switch LineScanner.scan(p, from: pos, maxLineLength: maxLine) {
            case .incomplete:
                return .incomplete
            case .tooLong:
                return .failure(.payloadTooLarge("header line too long"))
            case .badData(let why):
                return .failure(.badRequest(why))
            case .line(let contentEnd, let next):
                if contentEnd == pos {
                    pos = next
                    break fieldLines
                }
                guard FieldLine.split(p, start: pos, end: contentEnd) != nil else {
                    return .failure(.badRequest("bad header: " + excerpt(p, pos, contentEnd)))
                }
                count &+= 1
                if count > maxCount {
                    return .failure(.payloadTooLarge("too many headers"))
                }
                pos = next
            }
        }
        let headLength = pos

        let head = HTTPRequestHead(
            method: ASCII.string(p, requestLine.start, requestLine.methodEnd),
            uri: ASCII.string(p, requestLine.uriStart, requestLine.uriEnd),
            version: requestLine.version,
            headers: HTTPHeaders(buildFields(p, from: headersStart, count: count, headLength: headLength))
        )
        return .complete(head, headLength: headLength)
    }

    /// Pound's `http_response_validate`: `HTTP/1.0` or `HTTP/1.1`, a blank, optional more
    /// blanks, three digits starting 1-5, then the end or a blank and the reason phrase.
    /// Anything else, and bad data or an over-long line anywhere in the head, is 503
    /// ("malformed response"; Pound answers 414/413/500 for the line cases, by reusing its
    /// request reader, which we do not copy).
    public static func parseResponse(
        _ p: UnsafeRawBufferPointer, maxLineLength: Int
    ) -> HeadParseResult<HTTPResponseHead> {
        var pos = 0
        var statusLine: StatusLine
        startLine: while true {
            switch LineScanner.scan(p, from: pos, maxLineLength: maxLineLength) {
            case .incomplete:
                return .incomplete
            case .tooLong:
                return .failure(.badResponse("status line too long"))
            case .badData(let why):
                return .failure(.badResponse(why))
            case .line(let contentEnd, let next):
                if contentEnd == pos {
                    pos = next
                    continue
                }
                guard let parsed = StatusLine.parse(p, start: pos, end: contentEnd) else {
                    return .failure(.badResponse("malformed response"))
                }
                statusLine = parsed
                pos = next
                break startLine
            }
        }

        let headersStart = pos
        var count = 0
        fieldLines: while true {
            switch LineScanner.scan(p, from: pos, maxLineLength: maxLineLength) {
            case .incomplete:
                return .incomplete
            case .tooLong:
                return .failure(.badResponse("response header line too long"))
            case .badData(let why):
                return .failure(.badResponse(why))
            case .line(let contentEnd, let next):
                if contentEnd == pos {
                    pos = next
                    break fieldLines
                }
                count &+= 1
                pos = next
            }
        }
        let headLength = pos

        let head = HTTPResponseHead(
            version: statusLine.version,
            status: statusLine.status,
            reason: ASCII.string(p, statusLine.reasonStart, statusLine.reasonEnd),
            headers: HTTPHeaders(buildFields(p, from: headersStart, count: count, headLength: headLength))
        )
        return .complete(head, headLength: headLength)
    }

    public static func parseRequest(_ bytes: [UInt8], limits: RequestLimits) -> HeadParseResult<HTTPRequestHead> {
        bytes.withUnsafeBytes { parseRequest($0, limits: limits) }
    }

    public static func parseResponse(_ bytes: [UInt8], maxLineLength: Int) -> HeadParseResult<HTTPResponseHead> {
        bytes.withUnsafeBytes { parseResponse($0, maxLineLength: maxLineLength) }
    }

    /// Second pass over lines the first pass validated, up to the empty line. Lines that
    /// are not `name: value` are skipped (requests never reach here with one). The
    /// fields share one copy of the head's bytes.
    private static func buildFields(
        _ p: UnsafeRawBufferPointer, from start: Int, count: Int, headLength: Int
    ) -> [HTTPHeaderField] {
        let head = [UInt8](UnsafeRawBufferPointer(rebasing: p[0..<headLength]))
        var fields: [HTTPHeaderField] = []
        // Room for the fields a proxy adds (X-Forwarded-For, X-SSL-*, Connection).
        fields.reserveCapacity(count + 8)
        var pos = start
        while true {
            let (contentEnd, next) = LineScanner.knownLineEnd(p, from: pos)
            if contentEnd == pos { break }
            if let line = FieldLine.split(p, start: pos, end: contentEnd) {
                fields.append(line.field(in: head, lineStart: pos))
            }
            pos = next
        }
        return fields
    }

    /// A bounded piece of an offending line for the log.
    private static func excerpt(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        ASCII.string(p, start, min(end, start &+ 80))
    }
}
