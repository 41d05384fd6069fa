/// Pound's `get_remote_ip`: the client address as seen through trusted proxies, for
/// `ACL -forwarded` and `%[remoteip]`.
enum ForwardedAddress {
    /// The originating address: with `forwarded`, the value of the forwarded header
    /// (every occurrence joined by ", ") is walked from right to left, skipping
    /// addresses in the TrustedIP list (service, then listener, then global); the
    /// first untrusted address wins. The peer address is used instead when there is
    /// no TrustedIP list at all, no such header, an entry that is not a numeric
    /// address, or when every entry is trusted.
    static func resolve(_ request: RoutingRequest, forwarded: Bool) -> (text: String, bytes: [UInt8]) {
        let peer = (request.client.normalizedText, request.client.bytes)
        guard forwarded, let trusted = request.scope.trustedIPs else { return peer }
        let name = request.scope.forwardedHeader
        var value: [UInt8] = []
        var found = false
        var previousLength = 0
        for field in request.head.headers.fields where field.hasName(name) {
            if found && previousLength > 0 { value.append(contentsOf: ", ".utf8) }
            found = true
            value.append(contentsOf: field.value.utf8)
            previousLength = field.value.utf8.count
        }
        guard found else { return peer }
        var end = value.count
        while end > 0 {
            var p = end - 1
            while p > 0 && value[p] != UInt8(ascii: ",") { p -= 1 }
            var j = p
            if value[j] == UInt8(ascii: ",") { j += 1 }
            while j < end && ASCII.isSpace(value[j]) { j += 1 }
            var k = j
            while k < end && !ASCII.isSpace(value[k]) { k += 1 }
            let entry = String(decoding: value[j..<k], as: UTF8.self)
            guard let bytes = NumericIP.parseNumericHost(entry) else { return peer }
            let acl = NumericIP.isV4Mapped(bytes) ? bytes[12...] : bytes[...]
            if !trusted.contains(acl) {
                return (NumericIP.format(bytes), bytes)
            }
            end = p
        }
        return peer
    }
}
