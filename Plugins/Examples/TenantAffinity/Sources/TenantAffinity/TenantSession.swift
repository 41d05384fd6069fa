import PounceModuleAPI

/// Session type "tenant": requests of one tenant stick to one backend.
///
///     Session
///         Type "tenant"
///         ID "X-Tenant"     # the header naming the tenant (this is the default)
///         TTL 300
///     End
///
/// The key is the value of the `ID` header; a request without it is keyed by the
/// `tenant` claim of its `Authorization: Bearer <JWT>`, if any.
public final class TenantSession: SessionModule {
    public static let defaultHeader = "X-Tenant"

    let header: String

    public init(_ settings: SessionSettings) {
        header = settings.id ?? Self.defaultHeader
    }

    public func key(for request: some ModuleRequest) -> String? {
        if let tenant = request.header(header), !tenant.isEmpty { return tenant }
        guard let authorization = request.header("Authorization") else { return nil }
        return BearerToken.claim("tenant", inAuthorization: authorization)
    }
}
