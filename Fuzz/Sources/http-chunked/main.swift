// The chunked-body decoder (BodyDecoder with .chunked framing): chunk-size lines with
// extensions, chunk data, the last chunk, trailers. Input: one selector byte, then the
// body bytes. The body is decoded at once and again in pieces of 1-16 bytes (as reads
// deliver it); both must agree on where the body ends, what failed and the payload size.
import FuzzDriver
import HTTPWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let selector = data[0]
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let limit: UInt64? = selector & 0x80 != 0 ? 64 : nil
    let maxLine = selector & 0x40 != 0 ? 24 : 4096
    let piece = Int(selector & 0x0F) + 1

    var whole = BodyDecoder(framing: .chunked, limit: limit, maxLineLength: maxLine)
    let once = whole.consume(body)

    var split = BodyDecoder(framing: .chunked, limit: limit, maxLineLength: maxLine)
    var consumed = 0
    var finished = false
    var failure: HTTPWireError?
    var offset = 0
    while offset < body.count, !finished, failure == nil {
        let end = min(offset + piece, body.count)
        switch split.consume(UnsafeRawBufferPointer(rebasing: body[offset..<end])) {
        case .success(let progress):
            precondition(progress.bodyBytes >= 0 && progress.bodyBytes <= end - offset)
            precondition(progress.finished || progress.bodyBytes == end - offset, "unfinished body left bytes")
            consumed += progress.bodyBytes
            finished = progress.finished
        case .failure(let error):
            failure = error
        }
        offset = end
    }

    switch once {
    case .success(let progress):
        precondition(progress.bodyBytes <= body.count)
        precondition(failure == nil, "pieces failed (\(failure!)) where the whole succeeded")
        precondition(progress.finished == finished, "finished: whole \(progress.finished), pieces \(finished)")
        precondition(progress.bodyBytes == consumed, "consumed: whole \(progress.bodyBytes), pieces \(consumed)")
        precondition(progress.finished || progress.bodyBytes == body.count)
        precondition(whole.isComplete == progress.finished)
        precondition(whole.payloadBytes == split.payloadBytes, "payload: \(whole.payloadBytes) vs \(split.payloadBytes)")
        if progress.finished {
            if case .success(let again) = whole.consume(body) {
                precondition(again.bodyBytes == 0 && again.finished)
            } else {
                preconditionFailure("a finished body failed")
            }
        } else if case .success = whole.finishAtEOF() {
            preconditionFailure("a truncated chunked body ended cleanly at EOF")
        }
    case .failure(let error):
        precondition(failure == error, "whole failed with \(error), pieces with \(String(describing: failure))")
        precondition(whole.error == error)
        precondition([400, 413].contains(error.status), "status \(error.status)")
    }
    return 0
}

pounce_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    guard let data else { return withUnsafePointer(to: 0 as UInt8) { fuzz($0, 0) } }
    return fuzz(data, size)
}
