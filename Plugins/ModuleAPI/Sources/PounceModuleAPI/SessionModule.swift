/// A session type: where a request's session key comes from. Pounce keeps the
/// sessions (key → backend, `TTL`, expiry, dropping a dead backend's sessions); the
/// module only says which key a message carries.
///
/// One instance per `Session` block, shared by every event loop: `key(for:)` runs
/// for each request of the service, concurrently, so keep it lock-free and cheap.
public protocol SessionModule: AnyObject, Sendable {
    /// The key of the session the request belongs to, nil when it has none (the
    /// balancer then chooses, and a new session starts if the response brings a key,
    /// or under the request's key when it has one).
    func key(for request: some ModuleRequest) -> String?

    /// A key the response establishes for the backend that sent it (e.g. the value of
    /// the cookie a `Set-Cookie` sets), nil when it establishes none.
    func key(learnedFrom response: some ModuleResponse, request: some ModuleRequest) -> String?
}

extension SessionModule {
    public func key(learnedFrom response: some ModuleResponse, request: some ModuleRequest) -> String? { nil }
}
