import PounceModuleAPI

/// The request side both cookie-affinity types share: each `Cookie` header value passed
/// through `strip`, which returns it without our cookie (or without its tag), setting
/// `tag` from the first plausible one, or nil when the value does not carry our cookie
/// (then it is forwarded byte for byte). Values that end up empty are dropped, and an
/// empty list removes the header: a request with only our cookie reaches the backend
/// with no `Cookie` at all, as if the client had sent none.
enum CookieHeaderRewrite {
    static func backendTag(in values: [String], edits: inout HeaderEdits,
                           strip: (String, inout String?) -> String?) -> String? {
        var tag: String?
        var rewritten: [String] = []
        var changed = false
        for value in values {
            guard let stripped = strip(value, &tag) else {
                rewritten.append(value)
                continue
            }
            changed = true
            if !stripped.isEmpty { rewritten.append(stripped) }
        }
        if changed { edits.replace("Cookie", with: rewritten) }
        return tag
    }
}
