/// Where a message body ends, decided from the head alone. This is where request
/// smuggling is stopped: every request that two HTTP implementations could frame
/// differently is refused before a byte of it reaches a backend.
public enum MessageFraming {
    /// Pound 4.23 (`http_process_request`), header by header in order:
    /// - `Transfer-Encoding` after one that already made the request chunked: 400
    ///   "multiple Transfer-Encoding headers" (so `chunked` twice, or `chunked` then `gzip`);
    /// - a `Transfer-Encoding` list with `chunked` followed by anything (a later comma:
    ///   `chunked, gzip`, `chunked, chunked`, even `chunked,`): 400, same text;
    /// - `chunked` last in the list (`chunked`, `gzip, chunked`): chunked; no `chunked`
    ///   (`gzip`, `identity`, `surprise`, empty): unknown, later 501;
    /// - `Content-Length` a second time, or with a comma in it (`5, 5`): 400
    ///   "multiple Content-Length headers"; not plain digits (blanks around allowed,
    ///   `+5`, `-1`, `0x5`, `5a`, empty, > Int64.max): 400 "bad Content-Length value".
    /// Then: unknown Transfer-Encoding 501 "unknown Transfer-Encoding"; chunked together
    /// with Content-Length 400 "both Transfer-Encoding and Content-Length given".
    ///
    /// Stricter than Pound: a chunked HTTP/1.0 request is 400. Pound accepts it, forwards
    /// the `Transfer-Encoding` header but not the body (it only de-chunks HTTP/1.1), which
    /// desynchronises a backend connection that is kept open.
    public static func request(_ head: HTTPRequestHead) -> Result<BodyFraming, HTTPWireError> {
        var coding = RequestCoding.none
        var contentLength: UInt64?
        for field in head.headers.fields {
            if field.hasName(lowercase: "transfer-encoding") {
                if coding == .chunked {
                    return .failure(.badRequest("multiple Transfer-Encoding headers"))
                }
                switch chunkedPosition(field.value) {
                case .absent: coding = .unknown
                case .last: coding = .chunked
                case .notLast: return .failure(.badRequest("multiple Transfer-Encoding headers"))
                }
            } else if field.hasName(lowercase: "content-length") {
                if contentLength != nil || field.value.utf8.contains(ASCII.comma) {
                    return .failure(.badRequest("multiple Content-Length headers"))
                }
                guard let n = ContentLength.parse(field.value) else {
                    return .failure(.badRequest("bad Content-Length value"))
                }
                contentLength = n
            }
        }
        switch coding {
        case .unknown:
            return .failure(HTTPWireError(status: 501, reason: "unknown Transfer-Encoding"))
        case .chunked:
            if contentLength != nil {
                return .failure(.badRequest("both Transfer-Encoding and Content-Length given"))
            }
            if head.version.major == 1 && head.version.minor == 0 {
                return .failure(.badRequest("Transfer-Encoding in an HTTP/1.0 request"))
            }
            return .success(.chunked)
        case .none:
            if let n = contentLength { return .success(.contentLength(n)) }
            return .success(.none)
        }
    }

    /// `request(_:)`, then Pound's `MaxRequest` check on the declared length: a
    /// Content-Length above `maxRequest` is 413 "request too large: N bytes" before the
    /// request goes anywhere. nil or 0 = no limit (Pound's 0). Chunked bodies are checked
    /// by `BodyDecoder` as the chunks come.
    public static func request(_ head: HTTPRequestHead, maxRequest: UInt64?) -> Result<BodyFraming, HTTPWireError> {
        let framing = request(head)
        if case .success(.contentLength(let n)) = framing, let max = maxRequest, max > 0, n > max {
            return .failure(.payloadTooLarge("request too large: \(n) bytes"))
        }
        return framing
    }

    /// Response body framing (RFC 9112 §6.3, which Pound follows except where noted):
    /// - answer to HEAD, 1xx (101 included: the connection becomes a tunnel), 204, 304: none;
    /// - any `Transfer-Encoding` in an HTTP/1.1 response: chunked when `chunked` is the
    ///   last coding, else until close; in an HTTP/1.0 response: until close. Content-Length
    ///   is then ignored (the engine should not forward it);
    /// - `Content-Length`: that many bytes; repeated or listed values must agree;
    ///   an unparsable or conflicting value is 503;
    /// - otherwise until close.
    ///
    /// Pound differs: it treats 305/306 as bodiless and reads a chunked body after 204 or
    /// 1xx; it takes `chunked` anywhere in the list; it uses the last Content-Length, and
    /// drops an invalid one and reads until close. Each of those can leave a kept-alive
    /// backend connection out of step, so we follow the RFC.
    public static func response(_ head: HTTPResponseHead, requestMethod: String) -> Result<BodyFraming, HTTPWireError> {
        if ASCII.equalsIgnoringCase(requestMethod, "head") { return .success(.none) }
        let status = head.status
        if status < 200 || status == 204 || status == 304 { return .success(.none) }

        var sawTransferEncoding = false
        var chunkedLast = false
        var contentLength: UInt64?
        for field in head.headers.fields {
            if field.hasName(lowercase: "transfer-encoding") {
                sawTransferEncoding = true
                if let last = lastCodingIsChunked(field.value) { chunkedLast = last }
            } else if field.hasName(lowercase: "content-length") {
                var value = field.value
                var invalid = false
                var conflict = false
                var elements = 0
                let listed = value.withUTF8 { utf8 -> UInt64? in
                    var agreed = contentLength
                    _ = FieldList.first(in: UnsafeRawBufferPointer(utf8)) { element, _ in
                        elements += 1
                        guard let n = ContentLength.parse(element) else {
                            invalid = true
                            return true
                        }
                        if let previous = agreed, previous != n {
                            conflict = true
                            return true
                        }
                        agreed = n
                        return false
                    }
                    return agreed
                }
                if invalid || elements == 0 || listed == nil {
                    return .failure(.badResponse("invalid content length: \(field.value)"))
                }
                if conflict {
                    return .failure(.badResponse("conflicting Content-Length values"))
                }
                contentLength = listed
            }
        }
        if sawTransferEncoding {
            if head.version.major == 1 && head.version.minor == 0 { return .success(.untilClose) }
            return .success(chunkedLast ? .chunked : .untilClose)
        }
        if let n = contentLength { return .success(.contentLength(n)) }
        return .success(.untilClose)
    }

    private enum RequestCoding {
        case none, chunked, unknown
    }

    private enum ChunkedPosition {
        case absent, last, notLast
    }

    /// Pound's `cs_locate_token(value, "chunked", &next)`: the first `chunked` element,
    /// and whether a comma follows it anywhere in the value.
    private static func chunkedPosition(_ value: String) -> ChunkedPosition {
        var value = value
        return value.withUTF8 { utf8 in
            let p = UnsafeRawBufferPointer(utf8)
            var position = ChunkedPosition.absent
            _ = FieldList.first(in: p) { element, segmentEnd in
                guard ASCII.equalsIgnoringCase(element, "chunked") else { return false }
                position = segmentEnd < p.count ? .notLast : .last
                return true
            }
            return position
        }
    }

    /// Whether the last coding in this header is `chunked`; nil for an empty list.
    private static func lastCodingIsChunked(_ value: String) -> Bool? {
        var value = value
        return value.withUTF8 { utf8 in
            var last: Bool?
            _ = FieldList.first(in: UnsafeRawBufferPointer(utf8)) { element, _ in
                last = ASCII.equalsIgnoringCase(element, "chunked")
                return false
            }
            return last
        }
    }
}
