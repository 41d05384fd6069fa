import PounceModuleAPI

/// Session type `URL`: the value of query parameter `ID`. Learns nothing from
/// responses.
public final class URLSessionModule: SessionModule {
    public let parameter: String

    public init(settings: SessionSettings) throws {
        guard let id = settings.id else { throw BuiltinModuleError.sessionIDRequired(type: settings.type) }
        parameter = id
    }

    public func key(for request: some ModuleRequest) -> String? {
        Self.value(of: parameter, in: request.uri)
    }

    /// Pound's `http_request_get_query_param_value`: the **first** parameter with
    /// exactly that name (case-sensitive) in the query after the last `?`, not
    /// decoded. A first occurrence without `=` has no value, and a later one of the
    /// same name is never looked at: no key.
    static func value(of name: String, in uri: String) -> String? {
        var uri = uri
        var name = name
        return uri.withUTF8 { u in
            name.withUTF8 { n in
                guard let query = RequestTarget.queryRange(u) else { return nil }
                var start = query.lowerBound
                while start < query.upperBound {
                    var end = start
                    while end < query.upperBound, u[end] != UInt8(ascii: "&") { end += 1 }
                    var eq = start
                    while eq < end, u[eq] != UInt8(ascii: "=") { eq += 1 }
                    if u[start..<eq].elementsEqual(n) {
                        guard eq < end else { return nil }
                        return String(decoding: u[(eq + 1)..<end], as: UTF8.self)
                    }
                    start = end + 1
                }
                return nil
            }
        }
    }
}
