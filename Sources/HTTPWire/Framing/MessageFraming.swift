/// Where a message body ends, decided from the head alone. This is where request
/// smuggling is stopped: every request that two HTTP implementations could frame
/// differently is refused before a byte of it reaches a backend.
public enum MessageFraming {
    /// RFC 9112 §6.1 made strict, with Pound 4.23's answers where it has one:
    /// - `Transfer-Encoding`, over all its fields, must be exactly one `chunked`: a
    ///   malformed list (an empty element, an element that is not a token, a value with
    ///   no element) is 400 "malformed Transfer-Encoding"; `chunked` twice or not last
    ///   (`chunked, gzip`; two `Transfer-Encoding: chunked` fields) is 400 "multiple
    ///   Transfer-Encoding headers", as in Pound; any other coding (`gzip, chunked`,
    ///   `identity`, `surprise`) is 501 "unknown Transfer-Encoding". Pound accepts
    ///   `gzip, chunked` and forwards it, which a backend that does not know gzip
    ///   frames differently; the engine forwards `chunked` alone.
    /// - `Content-Length` a second time, or with a comma in it (`5, 5`): 400
    ///   "multiple Content-Length headers"; not plain digits (blanks around allowed,
    ///   `+5`, `-1`, `0x5`, `5a`, empty, > Int64.max): 400 "bad Content-Length value".
    /// - chunked together with Content-Length: 400 "both Transfer-Encoding and
    ///   Content-Length given".
    ///
    /// Stricter than Pound: a chunked HTTP/1.0 request is 400. Pound accepts it, forwards
    /// the `Transfer-Encoding` header but not the body (it only de-chunks HTTP/1.1), which
    /// desynchronises a backend connection that is kept open.
    public static func request(_ head: HTTPRequestHead) -> Result<BodyFraming, HTTPWireError> {
        var coding = RequestCoding()
        var contentLength: UInt64?
        var error: HTTPWireError?
        _ = head.headers.firstIndex { field in
            if field.hasName(lowercase: "transfer-encoding") {
                error = field.withValueBytes { readTransferCodings($0, into: &coding) }
            } else if field.hasName(lowercase: "content-length") {
                if contentLength != nil || field.withValueBytes({ $0.contains(ASCII.comma) }) {
                    error = .badRequest("multiple Content-Length headers")
                } else if let n = field.withValueBytes(ContentLength.parse) {
                    contentLength = n
                } else {
                    error = .badRequest("bad Content-Length value")
                }
            }
            return error != nil
        }
        if let error { return .failure(error) }
        guard coding.any else {
            if let n = contentLength { return .success(.contentLength(n)) }
            return .success(.none)
        }
        if coding.other {
            return .failure(HTTPWireError(status: 501, reason: "unknown Transfer-Encoding"))
        }
        if contentLength != nil {
            return .failure(.badRequest("both Transfer-Encoding and Content-Length given"))
        }
        if head.version.major == 1 && head.version.minor == 0 {
            return .failure(.badRequest("Transfer-Encoding in an HTTP/1.0 request"))
        }
        return .success(.chunked)
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
        var error: HTTPWireError?
        _ = head.headers.firstIndex { field in
            if field.hasName(lowercase: "transfer-encoding") {
                sawTransferEncoding = true
                if let last = field.withValueBytes(lastCodingIsChunked) { chunkedLast = last }
            } else if field.hasName(lowercase: "content-length") {
                var invalid = false
                var conflict = false
                var elements = 0
                let listed = field.withValueBytes { value -> UInt64? in
                    var agreed = contentLength
                    _ = FieldList.first(in: value) { element, _ in
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
                    error = .badResponse("invalid content length: \(field.value)")
                } else if conflict {
                    error = .badResponse("conflicting Content-Length values")
                } else {
                    contentLength = listed
                }
            }
            return error != nil
        }
        if let error { return .failure(error) }
        if sawTransferEncoding {
            if head.version.major == 1 && head.version.minor == 0 { return .success(.untilClose) }
            return .success(chunkedLast ? .chunked : .untilClose)
        }
        if let n = contentLength { return .success(.contentLength(n)) }
        return .success(.untilClose)
    }

    /// The `Transfer-Encoding` list read so far, over all its fields.
    private struct RequestCoding {
        var any = false
        var lastIsChunked = false
        /// A coding other than `chunked` (501, unless a 400 comes first).
        var other = false
    }

    /// Reads one `Transfer-Encoding` field into `coding`; the 400s come at once.
    private static func readTransferCodings(_ value: UnsafeRawBufferPointer, into coding: inout RequestCoding) -> HTTPWireError? {
        var elements = 0
        for element in value.split(separator: ASCII.comma, omittingEmptySubsequences: false) {
            let token = element.drop(while: ASCII.isBlank).reversed().drop(while: ASCII.isBlank).reversed()
            guard !token.isEmpty, token.allSatisfy(ASCII.isTokenChar) else {
                return .badRequest("malformed Transfer-Encoding")
            }
            elements += 1
            // Anything after `chunked` (Pound's wording for both cases).
            if coding.lastIsChunked { return .badRequest("multiple Transfer-Encoding headers") }
            coding.any = true
            coding.lastIsChunked = token.elementsEqual("chunked".utf8) { ASCII.lower($0) == $1 }
            if !coding.lastIsChunked { coding.other = true }
        }
        return elements == 0 ? .badRequest("malformed Transfer-Encoding") : nil
    }

    /// Whether the last coding in this header is `chunked`; nil for an empty list.
    private static func lastCodingIsChunked(_ value: UnsafeRawBufferPointer) -> Bool? {
        var last: Bool?
        _ = FieldList.first(in: value) { element, _ in
            last = ASCII.equalsIgnoringCase(element, "chunked")
            return false
        }
        return last
    }
}
