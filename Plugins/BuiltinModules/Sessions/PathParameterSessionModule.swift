import PounceModuleAPI

/// Session type `PARM`: what follows the **last** `;` of the path (the target up
/// to its last `?`), possibly empty (svc.c, `get_backend`: `strrchr(path, ';')`).
/// Learns nothing from responses.
public final class PathParameterSessionModule: SessionModule {
    public init(settings: SessionSettings) {}

    public func key(for request: some ModuleRequest) -> String? {
        Self.parameter(in: request.uri)
    }

    static func parameter(in uri: String) -> String? {
        var uri = uri
        return uri.withUTF8 { u in
            var i = RequestTarget.pathLength(u) - 1
            while i >= 0 {
                if u[i] == UInt8(ascii: ";") {
                    return String(decoding: u[(i + 1)..<RequestTarget.pathLength(u)], as: UTF8.self)
                }
                i -= 1
            }
            return nil
        }
    }
}
