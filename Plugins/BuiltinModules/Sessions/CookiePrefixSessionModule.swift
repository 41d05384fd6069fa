import PounceModuleAPI

/// Session type `CookiePrefix` (HAProxy's `cookie JSESSIONID prefix`): the application's
/// own session cookie `ID` carries the backend's tag in front of its value, `TAG~value`.
/// Responses get the prefix added to every `Set-Cookie` of that cookie; requests have it
/// taken off again, so the application only ever sees the value it set. Unlike
/// `CookieInsert` no cookie of Pounce's own is added: affinity lasts exactly as long as the
/// application's session, with the lifetime and attributes the application gives it.
///
/// Names are compared exactly (RFC 6265 §5.3), not case-insensitively as Pound's COOKIE
/// type does: `JSESSIONID` and `jsessionid` are different cookies to a browser and to the
/// application, and only the one the application sets carries a tag.
public final class CookiePrefixSessionModule: ClientAffinityModule {
    public let name: String
    private let nameBytes: [UInt8]

    public init(settings: SessionSettings) throws {
        guard let id = settings.id else { throw BuiltinModuleError.sessionIDRequired(type: settings.type) }
        // The application writes this cookie's Set-Cookie, attributes included; the module
        // only changes its value, so configured attributes would silently do nothing.
        let unused = Self.configuredAttributes(settings.cookie)
        if !unused.isEmpty {
            throw BuiltinModuleError.cookieAttributesUnused(type: settings.type, attributes: unused)
        }
        name = id
        nameBytes = Array(id.utf8)
    }

    /// The tag in front of the first `ID=TAG~value` of any `Cookie` header; the prefix of
    /// every such cookie is removed (each header value rewritten in place, nothing else in
    /// it changed). A value without `~`, or with an implausible tag before it, is the
    /// application's own value, not ours: no tag, and it is forwarded as it came.
    public func backendTag(of request: some ModuleRequest, edits: inout HeaderEdits) -> String? {
        CookieHeaderRewrite.backendTag(in: request.headers("Cookie"), edits: &edits) { strip($0, tag: &$1) }
    }

    /// Every `Set-Cookie` of cookie `ID` gets `backendTag~` in front of its value, whatever
    /// the tag the request carried: the application may have issued a new session, and the
    /// client must come back to the backend that holds it.
    public func respond(to response: some ModuleResponse, from backendTag: String, requestedTag: String?,
                        request: some ModuleRequest, edits: inout HeaderEdits) {
        let values = response.headers("Set-Cookie")
        var rewritten: [String] = []
        rewritten.reserveCapacity(values.count)
        var changed = false
        for value in values {
            if let prefixed = prefix(value, with: backendTag) {
                changed = true
                rewritten.append(prefixed)
            } else {
                rewritten.append(value)
            }
        }
        // One replace of all the values, in order: a response may set several cookies, and
        // their order matters to the client when two set the same name.
        if changed { edits.replace("Set-Cookie", with: rewritten) }
    }

    /// `value` with `TAG~` taken out of each plausibly tagged cookie `ID` (the first tag goes
    /// to `tag`), or nil when there was none.
    private func strip(_ value: String, tag: inout String?) -> String? {
        var value = value
        return value.withUTF8 { v -> String? in
            nameBytes.withUnsafeBufferPointer { n -> String? in
                var cuts: [Range<Int>] = []
                CookieInsertSessionModule.forEachPair(in: v) { _, name, valueRange in
                    guard let valueRange, v[name].elementsEqual(n) else { return }
                    let inner = CookieInsertSessionModule.unquoted(v, valueRange)
                    var tilde = inner.lowerBound
                    while tilde < inner.upperBound, v[tilde] != UInt8(ascii: "~") { tilde += 1 }
                    guard tilde < inner.upperBound,
                          let t = CookieInsertSessionModule.plausibleTag(v, inner.lowerBound..<tilde) else { return }
                    if tag == nil { tag = t }
                    cuts.append(inner.lowerBound..<(tilde + 1))
                }
                guard !cuts.isEmpty else { return nil }
                var out: [UInt8] = []
                out.reserveCapacity(v.count)
                var cursor = 0
                for cut in cuts {
                    out.append(contentsOf: v[cursor..<cut.lowerBound])
                    cursor = cut.upperBound
                }
                out.append(contentsOf: v[cursor..<v.count])
                return String(decoding: out, as: UTF8.self)
            }
        }
    }

    /// `value` (a `Set-Cookie`) with `tag~` inserted at the start of its cookie value when it
    /// sets cookie `ID`, nil when it sets another cookie or already carries this tag. The
    /// name is what comes before the first `=` of the part before the first `;`, blanks
    /// trimmed (RFC 6265 §5.2); everything but the insertion is kept byte for byte.
    private func prefix(_ value: String, with tag: String) -> String? {
        var value = value
        var tag = tag
        return value.withUTF8 { v -> String? in
            nameBytes.withUnsafeBufferPointer { n -> String? in
                tag.withUTF8 { t -> String? in
                    var end = 0
                    while end < v.count, v[end] != UInt8(ascii: ";") { end += 1 }
                    var eq = 0
                    while eq < end, v[eq] != UInt8(ascii: "=") { eq += 1 }
                    guard eq < end,
                          v[CookieInsertSessionModule.trimmed(v, 0..<eq)].elementsEqual(n) else { return nil }
                    var at = eq + 1
                    while at < end, ASCII.isBlank(v[at]) { at += 1 }
                    // A quoted value keeps its quotes outside: `"TAG~value"` is still a
                    // cookie-value by RFC 6265's grammar; `TAG~"value"` would not be.
                    let valueEnd = CookieInsertSessionModule.trimmed(v, at..<end).upperBound
                    if CookieInsertSessionModule.unquoted(v, at..<valueEnd).lowerBound != at { at += 1 }
                    // Already tagged for this backend (say, by a second proxy layer with the
                    // same configuration): prefixing again would nest tags.
                    if at + t.count < end, v[at..<(at + t.count)].elementsEqual(t),
                       v[at + t.count] == UInt8(ascii: "~") {
                        return nil
                    }
                    var out: [UInt8] = []
                    out.reserveCapacity(v.count + t.count + 1)
                    out.append(contentsOf: v[0..<at])
                    out.append(contentsOf: t)
                    out.append(UInt8(ascii: "~"))
                    out.append(contentsOf: v[at..<v.count])
                    return String(decoding: out, as: UTF8.self)
                }
            }
        }
    }

    /// The `Session` keywords of the attributes that were configured, in keyword order.
    static func configuredAttributes(_ a: CookieAttributes) -> [String] {
        var names: [String] = []
        if a.path != nil { names.append("Path") }
        if a.domain != nil { names.append("Domain") }
        if a.secure { names.append("Secure") }
        if a.httpOnly { names.append("HttpOnly") }
        if a.sameSite != nil { names.append("SameSite") }
        if a.maxAge != nil { names.append("MaxAge") }
        if a.noCache { names.append("NoCache") }
        return names
    }
}
