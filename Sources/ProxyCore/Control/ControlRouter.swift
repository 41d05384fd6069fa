import PoundConfig
import Routing

/// Pound's `control_response_basic`: the REST endpoints of the control interface.
/// `poundctl` sends `GET /listener/L/S/B` to list, `DELETE`/`PUT` on the same path
/// to disable/enable, `DELETE /session/L/S?key=K` and `PUT /session/L/S/B?key=K`
/// for sessions; `/core`, `/service/S/B` (global services) and `/log` complete it.
public struct ControlRouter: Sendable {
    public let plane: ControlPlane
    public let version: String

    /// The `version` the core object reports by default: the Pound release whose
    /// interface this is (`poundctl` and scripts compare it).
    public static let poundVersion = "4.23"

    public init(plane: ControlPlane, version: String = ControlRouter.poundVersion) {
        self.plane = plane
        self.version = version
    }

    private var serializer: ControlSerializer { ControlSerializer(plane: plane, version: version) }

    private enum Endpoint {
        case all, core, listener, service, session, log, vrrp, certificates
    }

    private static let endpoints: [(uri: String, method: String, endpoint: Endpoint)] = [
        ("", "GET", .all), ("/core", "GET", .core),
        ("/listener", "GET", .listener), ("/listener", "DELETE", .listener), ("/listener", "PUT", .listener),
        ("/service", "GET", .service), ("/service", "DELETE", .service), ("/service", "PUT", .service),
        ("/session", "DELETE", .session), ("/session", "PUT", .session),
        ("/log", "GET", .log),
        // A Pounce extension: the VRRP instances.
        ("/vrrp", "GET", .vrrp),
        // And the AutoCert certificates.
        ("/certificates", "GET", .certificates),
    ]

    public func respond(method: String, uri: String) -> ControlReply {
        let url = Array(uri.utf8)
        var len = url.firstIndex(of: UInt8(ascii: "?")) ?? url.count
        guard len > 0 else { return .status(404) }
        if url[len - 1] == UInt8(ascii: "/") { len -= 1 }
        // The longest path matching with this method wins; a path known only for
        // other methods is 405 (`find_endpoint`).
        var chosen: (uri: String, endpoint: Endpoint)?
        var pathMatched = false
        for e in Self.endpoints {
            let p = Array(e.uri.utf8)
            guard len >= p.count, url.starts(with: p) else { continue }
            if p.count < url.count {
                let next = url[p.count]
                guard next == UInt8(ascii: "/") || next == UInt8(ascii: "?") else { continue }
            }
            if e.method == method {
                if (chosen?.uri.utf8.count ?? -1) < p.count { chosen = (e.uri, e.endpoint) }
            } else {
                pathMatched = true
            }
        }
        guard let (path, endpoint) = chosen else { return .status(pathMatched ? 405 : 404) }
        let rest = Array(url[path.utf8.count...])
        switch endpoint {
        case .all:
            return isRoot(rest) ? reply(serializer.pound(), rest) : .status(404)
        case .core:
            return isRoot(rest) ? reply(serializer.core(), rest) : .status(404)
        case .listener:
            if method != "GET" && rest.first != UInt8(ascii: "/") { return .status(404) }
            return walkListener(rest[...], method == "GET" ? .list : .enable(method == "PUT"))
        case .service:
            if method != "GET" && rest.first != UInt8(ascii: "/") { return .status(404) }
            return walkService(rest[...], listener: nil, method == "GET" ? .list : .enable(method == "PUT"))
        case .session:
            guard rest.first == UInt8(ascii: "/") else { return .status(404) }
            return walkListener(rest[...], method == "PUT" ? .addSession : .deleteSession)
        case .log:
            return logLevel(rest[...])
        case .vrrp:
            return isRoot(rest) ? reply(serializer.vrrp(), rest) : .status(404)
        case .certificates:
            return isRoot(rest) ? reply(serializer.certificates(), rest) : .status(404)
        }
    }

    // MARK: Objects

    private enum Action {
        case list
        case enable(Bool)
        case addSession
        case deleteSession
    }

    private enum Object {
        /// nil: the whole server (`/listener`, `/listener/-`).
        case listener(Int?)
        case service(RuntimeService)
        case backend(RuntimeService, BackendState)
    }

    /// `ctl_getident`: a number is an index, anything else a name.
    private enum Ident {
        case index(Int)
        case name(String)
    }

    private static func ident(_ url: inout ArraySlice<UInt8>) -> Ident? {
        guard url.first == UInt8(ascii: "/") else { return nil }
        url = url.dropFirst()
        let end = url.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? url.endIndex
        let segment = url[url.startIndex..<end]
        url = url[end...]
        guard !segment.isEmpty else { return nil }
        if segment.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return Int(String(decoding: segment, as: UTF8.self)).map { .index($0) }
        }
        return .name(String(decoding: segment, as: UTF8.self))
    }

    private static func atEnd(_ url: ArraySlice<UInt8>) -> Bool {
        url.first == nil || url.first == UInt8(ascii: "?")
    }

    private func walkListener(_ url: ArraySlice<UInt8>, _ action: Action) -> ControlReply {
        var url = url
        let len = url.firstIndex(of: UInt8(ascii: "?")).map { $0 - url.startIndex } ?? url.count
        var listener: Int?
        if len == 0 {
            listener = nil
        } else if url.first == UInt8(ascii: "/") && len == 1 {
            url = url.dropFirst()
        } else if url.first == UInt8(ascii: "/"), url.dropFirst().first == UInt8(ascii: "-"),
                  len == 2 || url.dropFirst(2).first == UInt8(ascii: "/") {
            url = url.dropFirst(2)
        } else {
            switch Self.ident(&url) {
            case .index(let n)? where plane.listeners.indices.contains(n): listener = n
            case .name(let name)?:
                guard let n = plane.listeners.firstIndex(where: { $0.name == name }) else { return .status(404) }
                listener = n
            default: return .status(404)
            }
        }
        if !Self.atEnd(url) { return walkService(url, listener: listener, action) }
        return perform(.listener(listener), url, action)
    }

    /// `listener` nil: the global services.
    private func walkService(_ url: ArraySlice<UInt8>, listener: Int?, _ action: Action) -> ControlReply {
        var url = url
        let services = listener.map { plane.listeners[$0].services } ?? plane.globalServices
        let service: RuntimeService
        switch Self.ident(&url) {
        case .index(let n)? where services.indices.contains(n): service = services[n]
        case .name(let name)?:
            guard let s = services.first(where: { $0.service.name == name }) else { return .status(404) }
            service = s
        default: return .status(404)
        }
        if Self.atEnd(url) { return perform(.service(service), url, action) }
        guard case .index(let n)? = Self.ident(&url), service.backends.indices.contains(n) else {
            return .status(404)
        }
        return perform(.backend(service, service.backends[n]), url, action)
    }

    private func perform(_ object: Object, _ url: ArraySlice<UInt8>, _ action: Action) -> ControlReply {
        switch action {
        case .list:
            guard Self.atEnd(url) else { return .status(404) }
            switch object {
            case .listener(let n?): return reply(serializer.listener(n), url)
            case .listener(nil): return reply(serializer.pound(), url)
            case .service(let s): return reply(serializer.service(s, tunnel: false), url)
            case .backend(let s, let b): return reply(serializer.backend(b, tunnel: isTunnel(s)), url)
            }
        case .enable(let on):
            guard Self.atEnd(url) else { return .status(404) }
            // The control interface cannot switch itself off (`disable_handler`).
            switch object {
            case .backend(_, let b):
                if Self.isSelf(b) { return .status(400) }
                b.setDisabled(!on)
            case .service(let s):
                if Self.hasControl(s) { return .status(400) }
                s.setDisabled(!on)
            case .listener(let n):
                guard let n else { return .status(400) }
                if plane.listeners[n].services.contains(where: Self.hasControl) { return .status(400) }
                plane.setListenerDisabled(n, !on)
            }
            return reply(.bool(true), url)
        case .deleteSession:
            guard case .service(let s) = object else { return .status(400) }
            guard let key = Self.parameter("key", in: url) else { return .status(400) }
            _ = s.deleteSession(key: key)
            return reply(serializer.service(s, tunnel: false), url)
        case .addSession:
            guard case .backend(let s, let b) = object else { return .status(400) }
            guard let key = Self.parameter("key", in: url) else { return .status(400) }
            // A session-less service has nowhere to keep it; Pound's reply is the
            // service either way.
            if s.sessions != nil, !s.addSession(key: key, backend: b) { return .status(400) }
            return reply(serializer.service(s, tunnel: false), url)
        }
    }

    private func isTunnel(_ s: RuntimeService) -> Bool {
        guard let l = s.listenerIndex, let n = plane.poundIndex(ofConfigured: l) else { return false }
        return plane.listeners[n].isTunnel
    }

    private static func hasControl(_ s: RuntimeService) -> Bool {
        s.backends.contains(where: isSelf)
    }

    /// A `Control` backend, or a `Stats` page whose buttons reach this API: neither
    /// may switch itself off.
    private static func isSelf(_ b: BackendState) -> Bool {
        switch b.backend.kind {
        case .control, .stats: true
        default: false
        }
    }

    // MARK: /log

    /// `GET /log[/L]`: the request log level of the server or of a listener, by
    /// Pound's format names.
    private func logLevel(_ url: ArraySlice<UInt8>) -> ControlReply {
        var url = url
        var members: [String: ControlJSON] = ["kind": .string("log")]
        var level = plane.globalLogLevel
        if !isRoot(url) {
            let id = Self.ident(&url)
            guard Self.atEnd(url) else { return .status(400) }
            let n: Int?
            switch id {
            case .index(let i)?:
                members["listener_index"] = .int(i)
                n = plane.listeners.indices.contains(i) ? i : nil
            case .name(let name)?:
                members["listener_name"] = .string(name)
                n = plane.listeners.firstIndex { $0.name == name }
            case nil:
                return .status(400)
            }
            guard let n else { return .status(404) }
            level = plane.listenerLogLevels[n] ?? plane.globalLogLevel
        }
        members["level"] = Self.levelName(level)
        members["global"] = Self.levelName(plane.globalLogLevel)
        return reply(.object(members), url)
    }

    private static let builtInFormats = ["null", "regular", "extended", "vhost_combined", "combined", "detailed"]

    private static func levelName(_ level: LogLevel) -> ControlJSON {
        switch level {
        case .named(let name): .string(name)
        case .number(let n): builtInFormats.indices.contains(n) ? .string(builtInFormats[n]) : .null
        }
    }

    // MARK: Replies

    private func isRoot(_ url: [UInt8]) -> Bool { isRoot(url[...]) }

    /// `url_is_root`: nothing, or "/", before the query.
    private func isRoot(_ url: ArraySlice<UInt8>) -> Bool {
        let n = url.firstIndex(of: UInt8(ascii: "?")).map { $0 - url.startIndex } ?? url.count
        return n == 0 || (n == 1 && url.first == UInt8(ascii: "/"))
    }

    private func reply(_ value: ControlJSON, _ url: [UInt8]) -> ControlReply { reply(value, url[...]) }

    /// `send_json_reply`: `?indent=N` (0-80) pretty-prints; anything else there is 400.
    private func reply(_ value: ControlJSON, _ url: ArraySlice<UInt8>) -> ControlReply {
        var indent = 0
        if let text = Self.parameter("indent", in: url) {
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(text), n <= 80 else {
                return .status(400)
            }
            indent = n
        }
        return .json(value.rendered(indent: indent))
    }

    /// Pound's `get_param`: the raw (undecoded) value of `name=` in the query.
    static func parameter(_ name: String, in url: ArraySlice<UInt8>) -> String? {
        guard let q = url.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        let key = Array(name.utf8) + [UInt8(ascii: "=")]
        for part in url[(q + 1)...].split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false)
        where part.starts(with: key) {
            return String(decoding: part.dropFirst(key.count), as: UTF8.self)
        }
        return nil
    }
}
