import PounceModuleAPI

/// Session type `HEADER`: the whole value of request header `ID`; the same header
/// in a backend's response (its first occurrence) starts a session.
public final class HeaderSessionModule: SessionModule {
    public let headerName: String

    public init(settings: SessionSettings) throws {
        guard let id = settings.id else { throw BuiltinModuleError.sessionIDRequired(type: settings.type) }
        headerName = id
    }

    public func key(for request: some ModuleRequest) -> String? {
        request.header(headerName)
    }

    public func key(learnedFrom response: some ModuleResponse, request: some ModuleRequest) -> String? {
        response.headers(headerName).first
    }
}
