// HTTPHeadParser on request and response heads, then what the engine does next with a
// complete head: MessageFraming (the smuggling rules) and BodyDecoder on the bytes
// after the head. Properties checked on every complete head:
// - every shorter prefix of the head is .incomplete (a head may arrive in any pieces);
// - the head's bytes alone parse to the same head;
// - the serialized head (what is forwarded) parses back to the same head.
import FuzzDriver
import HTTPWire

let requestLimits = [
    RequestLimits(),
    RequestLimits(maxLineLength: 40, maxURILength: 16, maxHeaderCount: 3, allowedMethodGroup: 0),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let p = UnsafeRawBufferPointer(start: data, count: size)
    for limits in requestLimits {
        request(p, limits: limits)
    }
    response(p, maxLineLength: 4096)
    response(p, maxLineLength: 40)
    return 0
}

/// Where to cut a head of `headLength` bytes to check that its prefixes are incomplete.
func prefixes(_ headLength: Int) -> [Int] {
    var cuts: [Int] = []
    for k in [0, 1, headLength / 2, headLength - 2, headLength - 1] where k >= 0 && k < headLength && !cuts.contains(k) {
        cuts.append(k)
    }
    return cuts
}

func request(_ p: UnsafeRawBufferPointer, limits: RequestLimits) {
    switch HTTPHeadParser.parseRequest(p, limits: limits) {
    case .incomplete:
        break
    case .failure(let error):
        precondition([400, 405, 413, 414, 501].contains(error.status), "request: status \(error)")
    case .complete(let head, let headLength):
        precondition(headLength > 0 && headLength <= p.count)
        for k in prefixes(headLength) {
            let r = HTTPHeadParser.parseRequest(UnsafeRawBufferPointer(rebasing: p[0..<k]), limits: limits)
            guard case .incomplete = r else { preconditionFailure("request prefix of \(k)/\(headLength) bytes: \(r)") }
        }
        let alone = HTTPHeadParser.parseRequest(UnsafeRawBufferPointer(rebasing: p[0..<headLength]), limits: limits)
        guard case .complete(let h, let n) = alone, h == head, n == headLength else {
            preconditionFailure("request head alone: \(alone)")
        }
        let wire = head.serialized()
        let again = HTTPHeadParser.parseRequest(wire, limits: RequestLimits(maxLineLength: Int.max))
        guard case .complete(let h2, let n2) = again, h2 == head, n2 == wire.count else {
            preconditionFailure("serialized request does not parse back: \(again) from \(wire)")
        }
        _ = (head.keepAlive, head.expectsContinue, head.isUpgrade, head.isWebSocketUpgrade, head.methodGroup,
             head.isHead, head.path, head.query, head.requestLine)
        switch MessageFraming.request(head, maxRequest: 1 << 20) {
        case .success(let framing):
            body(p, from: headLength, framing: framing, limit: 1 << 20, maxLineLength: limits.maxLineLength)
        case .failure(let error):
            precondition([400, 413, 501].contains(error.status), "request framing: status \(error)")
        }
    }
}

func response(_ p: UnsafeRawBufferPointer, maxLineLength: Int) {
    switch HTTPHeadParser.parseResponse(p, maxLineLength: maxLineLength) {
    case .incomplete:
        break
    case .failure(let error):
        precondition(error.status == 503, "response: status \(error)")
    case .complete(let head, let headLength):
        precondition(headLength > 0 && headLength <= p.count)
        precondition((100...599).contains(head.status), "status \(head.status)")
        for k in prefixes(headLength) {
            let r = HTTPHeadParser.parseResponse(UnsafeRawBufferPointer(rebasing: p[0..<k]), maxLineLength: maxLineLength)
            guard case .incomplete = r else { preconditionFailure("response prefix of \(k)/\(headLength) bytes: \(r)") }
        }
        let wire = head.serialized()
        let again = HTTPHeadParser.parseResponse(wire, maxLineLength: Int.max)
        guard case .complete(let h2, let n2) = again, h2 == head, n2 == wire.count else {
            preconditionFailure("serialized response does not parse back: \(again) from \(wire)")
        }
        _ = (head.keepAlive, head.isInformational, head.statusLine)
        for method in ["GET", "HEAD"] {
            switch MessageFraming.response(head, requestMethod: method) {
            case .success(let framing):
                body(p, from: headLength, framing: framing, limit: nil, maxLineLength: maxLineLength)
            case .failure(let error):
                precondition(error.status == 503, "response framing: status \(error)")
            }
        }
    }
}

func body(_ p: UnsafeRawBufferPointer, from start: Int, framing: BodyFraming, limit: UInt64?, maxLineLength: Int) {
    var decoder = BodyDecoder(framing: framing, limit: limit, maxLineLength: maxLineLength)
    let rest = UnsafeRawBufferPointer(rebasing: p[start...])
    switch decoder.consume(rest) {
    case .success(let progress):
        precondition(progress.bodyBytes <= rest.count)
        if !progress.finished { _ = decoder.finishAtEOF() }
    case .failure:
        break
    }
}

pounce_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    guard let data else { return withUnsafePointer(to: 0 as UInt8) { fuzz($0, 0) } }
    return fuzz(data, size)
}
