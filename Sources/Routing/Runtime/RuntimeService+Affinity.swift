import HTTPWire
import PoundConfig
import PounceModuleAPI

/// Client affinity (`Session Type "CookieInsert"`, "CookiePrefix", or a module's
/// `ClientAffinityModule`): the request names its backend by tag; nothing is kept here.
extension RuntimeService {
    /// Whether the service routes by client-side tags.
    public var usesClientAffinity: Bool { affinity != nil }

    /// The backend the request's tag names when that backend is alive, else the balancer's
    /// choice; the module's edits (taking its tag out) are made to `head` first. Returns
    /// the tag the request carried too, for `applyAffinity`.
    public func chooseBackend(affinity head: inout HTTPRequestHead, client: ClientAddress)
        -> (backend: BackendState?, requestedTag: String?) {
        guard let affinity else { return (chooseBackend(), nil) }
        var edits = HeaderEdits()
        let tag = affinity.backendTag(of: ModuleRequestView(head: head, client: client), edits: &edits)
        if !edits.isEmpty { head.headers.apply(edits) }
        let set = backendSet
        guard set.hasUsableBackend else { return (nil, tag) }
        // A disabled backend keeps its clients, as Pound's sessions keep theirs; a dead
        // or removed one sends them to the balancer.
        if let tag, let index = set.index(ofTag: tag), set.backends[index].isAlive {
            return (set.backends[index], tag)
        }
        return (set.balance(key: nil).map { set.backends[$0] }, tag)
    }

    /// The module's edits to the response `backend` gave to a request that carried
    /// `requestedTag`: the cookie naming `backend` set or rewritten.
    public func applyAffinity(to response: inout HTTPResponseHead, requestHead: HTTPRequestHead, client: ClientAddress,
                              backend: BackendState, requestedTag: String?) {
        let set = backendSet
        guard let affinity, let index = set.index(of: backend), let tag = set.tags[index] else { return }
        var edits = HeaderEdits()
        affinity.respond(to: ModuleResponseView(head: response), from: tag, requestedTag: requestedTag,
                         request: ModuleRequestView(head: requestHead, client: client), edits: &edits)
        if !edits.isEmpty { response.headers.apply(edits) }
    }

    /// The tag of `backend` in this service (nil without client affinity).
    public func affinityTag(of backend: BackendState) -> String? {
        let set = backendSet
        return set.index(of: backend).flatMap { set.tags[$0] }
    }

    static func cookieAttributes(_ settings: SessionCookieSettings) -> CookieAttributes {
        CookieAttributes(path: settings.path, domain: settings.domain, secure: settings.secure,
                         httpOnly: settings.httpOnly, sameSite: settings.sameSite, maxAge: settings.maxAge,
                         noCache: settings.noCache)
    }
}
