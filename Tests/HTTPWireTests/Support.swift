@testable import HTTPWire

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

func parseRequest(_ s: String, limits: RequestLimits = RequestLimits()) -> HeadParseResult<HTTPRequestHead> {
    HTTPHeadParser.parseRequest(bytes(s), limits: limits)
}

func parseResponse(_ s: String, maxLineLength: Int = 4096) -> HeadParseResult<HTTPResponseHead> {
    HTTPHeadParser.parseResponse(bytes(s), maxLineLength: maxLineLength)
}

extension HeadParseResult {
    var head: Head? {
        if case .complete(let head, _) = self { return head }
        return nil
    }

    var headLength: Int? {
        if case .complete(_, let length) = self { return length }
        return nil
    }

    var error: HTTPWireError? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var isIncomplete: Bool {
        if case .incomplete = self { return true }
        return false
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var successValue: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}

func request(_ headers: [(String, String)], version: HTTPVersion = .http1_1, method: String = "POST") -> HTTPRequestHead {
    HTTPRequestHead(
        method: method, uri: "/", version: version,
        headers: HTTPHeaders(headers.map { HTTPHeaderField(name: $0.0, value: $0.1) })
    )
}

func response(_ status: Int, _ headers: [(String, String)], version: HTTPVersion = .http1_1) -> HTTPResponseHead {
    HTTPResponseHead(
        version: version, status: status, reason: "R",
        headers: HTTPHeaders(headers.map { HTTPHeaderField(name: $0.0, value: $0.1) })
    )
}

/// Feeds `stream` to a decoder in pieces of `step` bytes, as an engine would, and
/// returns how many bytes were body, whether it finished, and the error if any.
func run(
    _ decoder: inout BodyDecoder, _ stream: [UInt8], step: Int
) -> (bodyBytes: Int, finished: Bool, error: HTTPWireError?) {
    var offset = 0
    while offset < stream.count {
        let end = min(offset + step, stream.count)
        let piece = Array(stream[offset..<end])
        switch decoder.consume(piece) {
        case .failure(let error):
            return (offset, false, error)
        case .success(let progress):
            offset += progress.bodyBytes
            if progress.finished { return (offset, true, nil) }
            if progress.bodyBytes < piece.count { return (offset, false, nil) }
        }
    }
    return (offset, decoder.isComplete, nil)
}
