import CPounceModuleABI
import PounceModuleAPI

/// Presents a `ModuleRequest`/`ModuleResponse` to C as a `pounce_request`/
/// `pounce_response` for the length of one call. The `header` and `header_at`
/// callbacks find the Swift message through `host`; the values they return are copies
/// owned by the bridge and freed when the call returns, which is as long as the C ABI
/// promises.
enum CMessageBridge {
    /// What `host` points at during a call.
    private struct Context<Message> {
        let message: Message
        var copies: [UnsafeMutablePointer<CChar>] = []

        /// A NUL-terminated copy of `text` that lives until the call ends; its length
        /// (without the NUL) in `length`.
        mutating func keep(_ text: String, length: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar> {
            var text = text
            let copy = text.withUTF8 { bytes in
                let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
                if let base = bytes.baseAddress {
                    UnsafeMutableRawPointer(copy).copyMemory(from: base, byteCount: bytes.count)
                }
                copy[bytes.count] = 0
                length?.pointee = bytes.count
                return copy
            }
            copies.append(copy)
            return UnsafePointer(copy)
        }

        func release() {
            for copy in copies { copy.deallocate() }
        }
    }

    /// The `index`-th value of header `name` of the message behind `host`, kept for the
    /// call (`header_at` of a request, `header` of a response).
    private static func value<Message>(host: UnsafeMutableRawPointer?, name: UnsafePointer<CChar>?, index: Int,
                                       length: UnsafeMutablePointer<Int>?,
                                       headers: (Message, String) -> [String]) -> UnsafePointer<CChar>? {
        guard let host, let name else { return nil }
        let context = host.assumingMemoryBound(to: Context<Message>.self)
        let values = headers(context.pointee.message, String(cString: name))
        guard index < values.count else { return nil }
        return context.pointee.keep(values[index], length: length)
    }

    static func withRequest<Result>(_ request: some ModuleRequest,
                                    _ body: (UnsafePointer<pounce_request>) -> Result) -> Result {
        var context = Context<any ModuleRequest>(message: request)
        defer { context.release() }
        let method = request.method, uri = request.uri, client = request.clientAddress
        return withUnsafeMutablePointer(to: &context) { host in
            method.withCString { m in
                uri.withCString { u in
                    client.withCString { c in
                        var cRequest = pounce_request(
                            method: m, method_len: method.utf8.count,
                            uri: u, uri_len: uri.utf8.count,
                            client: c, client_len: client.utf8.count,
                            header: { cRequest, name, length in
                                guard let host = cRequest?.pointee.host, let name else { return nil }
                                let context = host.assumingMemoryBound(to: Context<any ModuleRequest>.self)
                                guard let value = context.pointee.message.header(String(cString: name)) else {
                                    return nil
                                }
                                return context.pointee.keep(value, length: length)
                            },
                            host: UnsafeMutableRawPointer(host),
                            // Version 2, appended: a v1 module's header ends before it, so
                            // the module never reads it and the fields it knows keep their
                            // offsets.
                            header_at: { cRequest, name, index, length in
                                CMessageBridge.value(host: cRequest?.pointee.host, name: name, index: index,
                                                     length: length) { (request: any ModuleRequest, name) in
                                    request.headers(name)
                                }
                            })
                        return withUnsafePointer(to: &cRequest) { body($0) }
                    }
                }
            }
        }
    }

    static func withResponse<Result>(_ response: some ModuleResponse,
                                     _ body: (UnsafePointer<pounce_response>) -> Result) -> Result {
        var context = Context<any ModuleResponse>(message: response)
        defer { context.release() }
        return withUnsafeMutablePointer(to: &context) { host in
            var cResponse = pounce_response(
                status: Int32(clamping: response.status),
                header: { cResponse, name, index, length in
                    CMessageBridge.value(host: cResponse?.pointee.host, name: name, index: index,
                                         length: length) { (response: any ModuleResponse, name) in
                        response.headers(name)
                    }
                },
                host: UnsafeMutableRawPointer(host))
            return withUnsafePointer(to: &cResponse) { body($0) }
        }
    }
}
