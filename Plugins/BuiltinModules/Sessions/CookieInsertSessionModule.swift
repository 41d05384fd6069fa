import PounceModuleAPI

/// Session type `CookieInsert` (HAProxy's `cookie NAME insert indirect nocache`): Pounce's
/// own cookie `ID` holds the tag of the client's backend. The cookie is taken out of the
/// request before it is forwarded (`indirect`: the application never sees it, so it cannot
/// clash with the application's cookies), and set on a response only when the backend that
/// answered is not the one the request named, so a client that stays put gets no
/// `Set-Cookie` at all.
///
/// Cookie names are compared exactly, as RFC 6265 §5.3 (and browsers) do: `SRV` and `srv`
/// are two cookies. Pound's COOKIE type compares case-insensitively; following it here would
/// let an application cookie `srv` steer routing and be stripped from the request.
public final class CookieInsertSessionModule: ClientAffinityModule {
    public let name: String
    public let attributes: CookieAttributes
    private let nameBytes: [UInt8]

    public init(settings: SessionSettings) throws {
        guard let id = settings.id else { throw BuiltinModuleError.sessionIDRequired(type: settings.type) }
        name = id
        attributes = settings.cookie
        nameBytes = Array(id.utf8)
    }

    /// The first plausible value of our cookie in any `Cookie` header; every occurrence of
    /// the cookie (plausible or not) is removed from the forwarded request.
    public func backendTag(of request: some ModuleRequest, edits: inout HeaderEdits) -> String? {
        CookieHeaderRewrite.backendTag(in: request.headers("Cookie"), edits: &edits) { strip($0, tag: &$1) }
    }

    public func respond(to response: some ModuleResponse, from backendTag: String, requestedTag: String?,
                        request: some ModuleRequest, edits: inout HeaderEdits) {
        // The cookie is the load balancer's: a backend's own Set-Cookie of that name is
        // dropped, as HAProxy's insert mode (without `preserve`) drops it.
        let setCookies = response.headers("Set-Cookie")
        let kept = setCookies.filter { !sets($0) }
        if kept.count != setCookies.count { edits.replace("Set-Cookie", with: kept) }
        // The client already names this backend: repeating the cookie would only make the
        // response uncacheable (with NoCache) for nothing.
        guard requestedTag != backendTag else { return }
        edits.append("Set-Cookie", attributes.setCookie(name: name, value: backendTag))
        // A shared cache must not hand this client's cookie to the next one; only responses
        // that set it need the mark, the others stay cacheable.
        if attributes.noCache, let cacheControl = Self.privateCacheControl(response.headers("Cache-Control")) {
            edits.set("Cache-Control", cacheControl)
        }
    }

    /// HAProxy's `nocache`: the response's Cache-Control made private, keeping what the
    /// application said; nil when it already keeps shared caches out (private, no-store,
    /// no-cache), so an application's `no-store` is never weakened. `public` and `s-maxage`
    /// go, since they would let a shared cache keep the cookie.
    static func privateCacheControl(_ values: [String]) -> String? {
        let directives = values.flatMap { $0.split(separator: ",") }
            .map { String($0.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()) }
            .filter { !$0.isEmpty }
        let names = directives.map { $0.split(separator: "=", maxSplits: 1).first.map { $0.lowercased() } ?? "" }
        if names.contains(where: { ["private", "no-store", "no-cache"].contains($0) }) { return nil }
        let kept = zip(directives, names).filter { $0.1 != "public" && $0.1 != "s-maxage" }.map(\.0)
        return (kept + ["private"]).joined(separator: ", ")
    }

    /// Whether a Set-Cookie value sets our cookie: its name, before the first `=`, blanks
    /// trimmed, is ours.
    private func sets(_ setCookie: String) -> Bool {
        var value = setCookie
        return value.withUTF8 { v in
            guard let equals = v.firstIndex(of: UInt8(ascii: "=")) else { return false }
            return nameBytes.withUnsafeBufferPointer { n in
                v[Self.trimmed(v, 0..<equals)].elementsEqual(n)
            }
        }
    }

    /// `value` without our cookie (the remaining cookies trimmed and joined with "; "), or
    /// nil when it does not carry our cookie. `tag` gets the first plausible value seen.
    private func strip(_ value: String, tag: inout String?) -> String? {
        var value = value
        return value.withUTF8 { v -> String? in
            nameBytes.withUnsafeBufferPointer { n -> String? in
                var found = false
                var kept: [Range<Int>] = []
                Self.forEachPair(in: v) { part, name, valueRange in
                    if let valueRange, v[name].elementsEqual(n) {
                        found = true
                        if tag == nil, let t = Self.plausibleTag(v, Self.unquoted(v, valueRange)) { tag = t }
                    } else if !part.isEmpty {
                        kept.append(part)
                    }
                }
                guard found else { return nil }
                var out: [UInt8] = []
                for (i, part) in kept.enumerated() {
                    if i > 0 { out.append(contentsOf: "; ".utf8) }
                    out.append(contentsOf: v[part])
                }
                return String(decoding: out, as: UTF8.self)
            }
        }
    }

    // MARK: Cookie text, shared with CookiePrefixSessionModule

    /// Tags are what Pounce makes them (a `CookieValue` or a short keyed hash); anything else
    /// in the cookie is a forgery or left over from another configuration, and counts as no
    /// tag rather than being passed on to the host as a backend name.
    static let maxTagLength = 64

    /// The text of `v[range]` when it is a plausible tag: 1 to 64 bytes of [A-Za-z0-9_-].
    static func plausibleTag(_ v: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        guard !range.isEmpty, range.count <= maxTagLength else { return nil }
        for c in v[range] {
            let ok = (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
            if !ok { return nil }
        }
        return String(decoding: v[range], as: UTF8.self)
    }

    /// RFC 6265's `cookie-value` may be wrapped in DQUOTEs, which are not part of what the
    /// value means: the inside of `"A"`, or `range` itself when it is not quoted.
    static func unquoted(_ v: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        if range.count >= 2, v[range.lowerBound] == UInt8(ascii: "\""), v[range.upperBound - 1] == UInt8(ascii: "\"") {
            return (range.lowerBound + 1)..<(range.upperBound - 1)
        }
        return range
    }

    /// Calls `body` for each `;`-separated part of a `Cookie` header value with the part
    /// (blanks around it trimmed, empty for `;;`), its name (before the first `=`, blanks
    /// trimmed) and its value (after the `=`, blanks trimmed; nil when the part has no `=`).
    /// RFC 6265 §4.2.1 wants exactly `name=value; name=value`; the blanks are tolerated as
    /// §5.2 tolerates them in `Set-Cookie`, since clients and proxies are not all strict.
    static func forEachPair(in v: UnsafeBufferPointer<UInt8>,
                            _ body: (_ part: Range<Int>, _ name: Range<Int>, _ value: Range<Int>?) -> Void) {
        var i = 0
        while i <= v.count {
            var end = i
            while end < v.count, v[end] != UInt8(ascii: ";") { end += 1 }
            let part = trimmed(v, i..<end)
            var eq = part.lowerBound
            while eq < part.upperBound, v[eq] != UInt8(ascii: "=") { eq += 1 }
            if eq < part.upperBound {
                body(part, trimmed(v, part.lowerBound..<eq), trimmed(v, (eq + 1)..<part.upperBound))
            } else {
                body(part, part, nil)
            }
            i = end + 1
        }
    }

    /// `range` without the blanks at either end.
    static func trimmed(_ v: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, ASCII.isBlank(v[lower]) { lower += 1 }
        while upper > lower, ASCII.isBlank(v[upper - 1]) { upper -= 1 }
        return lower..<upper
    }
}
