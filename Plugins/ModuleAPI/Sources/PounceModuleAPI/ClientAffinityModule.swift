/// A session type that keeps a client's affinity in the client itself, as HAProxy's
/// `cookie ... insert|prefix` does, instead of Pounce's session table: the request names
/// its backend by the backend's tag, and the response tells the client the tag of the
/// backend that answered. Nothing is remembered, so two load balancers with one
/// configuration agree without talking, and a restart or a reload loses nothing.
///
/// Pounce gives each backend a stable tag (its `CookieValue`, else a keyed hash of its
/// address: the same on every node, not revealing the address). A request whose tag
/// names a live backend goes there; any other goes where the balancer says, and the
/// response then carries a different tag than the request did.
///
/// One instance per `Session` block, shared by every event loop (API version 2).
public protocol ClientAffinityModule: SessionModule {
    /// The backend tag `request` carries, nil when it has none. `edits` changes the request
    /// before it is forwarded (to take the tag out, so the backend never sees it).
    func backendTag(of request: some ModuleRequest, edits: inout HeaderEdits) -> String?

    /// The response of the backend tagged `backendTag` to a request that carried
    /// `requestedTag` (nil: none; another tag: its backend was dead or gone). `edits`
    /// changes the response the client gets (set or rewrite the cookie).
    func respond(to response: some ModuleResponse, from backendTag: String, requestedTag: String?,
                 request: some ModuleRequest, edits: inout HeaderEdits)
}

extension ClientAffinityModule {
    /// Affinity modules route by tag; Pounce's session table is not used.
    public func key(for request: some ModuleRequest) -> String? { nil }
}
