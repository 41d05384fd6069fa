#if canImport(Glibc)
import Glibc
#endif
import CPounceModuleABI
import PounceModuleAPI

/// A C module's client-affinity type (`pounce_affinity_type`, C ABI version 2) seen as a
/// `ClientAffinityModule`: one C instance per `Session` block, created here and
/// destroyed with the adapter. Messages, tags and edits cross as views valid for one
/// call, as the C ABI promises.
final class CAffinityModule: ClientAffinityModule, @unchecked Sendable {
    private let type: CAffinityType
    // Immutable after init; the C module promises thread-safe instances.
    private let instance: UnsafeMutableRawPointer?

    init(type: CAffinityType, settings: SessionSettings) throws {
        self.type = type
        guard let create = type.table.create else {
            instance = nil
            return
        }
        instance = try createCInstance(module: type.module, kind: .sessionType, type: type.name) { error, size in
            Self.withCSettings(settings) { create($0, error, size) }
        }
    }

    deinit {
        if let instance, let destroy = type.table.destroy { destroy(instance) }
    }

    func backendTag(of request: some ModuleRequest, edits: inout HeaderEdits) -> String? {
        guard let requestTag = type.table.request_tag else { return nil }
        return CMessageBridge.withRequest(request) { cRequest in
            CEditsBridge.withEdits(&edits) { cEdits in
                // Tags are as short as keys: the same 128-byte buffer, 127 bytes kept.
                CSessionModule.readKey { requestTag(instance, cRequest, cEdits, $0, $1) }
            }
        }
    }

    func respond(to response: some ModuleResponse, from backendTag: String, requestedTag: String?,
                 request: some ModuleRequest, edits: inout HeaderEdits) {
        guard let respond = type.table.respond else { return }
        let backendLength = backendTag.utf8.count
        CMessageBridge.withRequest(request) { cRequest in
            CMessageBridge.withResponse(response) { cResponse in
                CEditsBridge.withEdits(&edits) { cEdits in
                    // withCString, not withUTF8: its pointer is never NULL, even for "", and
                    // NULL must mean "the request carried no tag".
                    backendTag.withCString { backend in
                        guard let requestedTag else {
                            respond(instance, cResponse, cRequest, backend, backendLength, nil, 0, cEdits)
                            return
                        }
                        requestedTag.withCString { requested in
                            respond(instance, cResponse, cRequest, backend, backendLength, requested,
                                    requestedTag.utf8.count, cEdits)
                        }
                    }
                }
            }
        }
    }

    /// `settings` as a `pounce_session_settings` whose strings (NUL-terminated copies)
    /// live for the call only, as the ABI promises.
    private static func withCSettings<Result>(_ settings: SessionSettings,
                                              _ body: (UnsafePointer<pounce_session_settings>) -> Result) -> Result {
        let cookie = settings.cookie
        let copies = [settings.type, settings.id, cookie.path, cookie.domain, cookie.sameSite]
            .map { text in text.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        var cSettings = pounce_session_settings(
            type: UnsafePointer(copies[0]),
            id: UnsafePointer(copies[1]),
            ttl: Int32(clamping: settings.ttl),
            path: UnsafePointer(copies[2]),
            domain: UnsafePointer(copies[3]),
            same_site: UnsafePointer(copies[4]),
            // -1: not set (a session cookie); a configured Max-Age is never negative.
            max_age: cookie.maxAge.map { CLong(clamping: $0) } ?? -1,
            secure: cookie.secure ? 1 : 0,
            http_only: cookie.httpOnly ? 1 : 0,
            no_cache: cookie.noCache ? 1 : 0)
        return withUnsafePointer(to: &cSettings) { body($0) }
    }
}
