/// Writes heads as Pound sends them: start line, `Name: value` lines, all ending in
/// CRLF, then the empty line. The buffer is sized once, then filled.
enum HeadSerializer {
    @inline(__always)
    static func fieldsLength(_ headers: HTTPHeaders) -> Int {
        var length = 2
        for field in headers.fields {
            length &+= field.name.utf8.count &+ field.value.utf8.count &+ 4
        }
        return length
    }

    @inline(__always)
    static func append(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func appendFields(_ headers: HTTPHeaders, to out: inout [UInt8]) {
        for field in headers.fields {
            append(field.name, to: &out)
            out.append(ASCII.colon)
            out.append(ASCII.space)
            append(field.value, to: &out)
            out.append(ASCII.cr)
            out.append(ASCII.lf)
        }
        out.append(ASCII.cr)
        out.append(ASCII.lf)
    }

    /// `HTTP/x.y`; 8 bytes for the single-digit versions HTTP/1 has.
    @inline(__always)
    static func appendVersion(_ version: HTTPVersion, to out: inout [UInt8]) {
        if (0...9).contains(version.major) && (0...9).contains(version.minor) {
            out.append(contentsOf: [0x48, 0x54, 0x54, 0x50, 0x2F,
                                    0x30 &+ UInt8(version.major), 0x2E, 0x30 &+ UInt8(version.minor)])
        } else {
            append(version.description, to: &out)
        }
    }

    static func versionLength(_ version: HTTPVersion) -> Int {
        (0...9).contains(version.major) && (0...9).contains(version.minor) ? 8 : version.description.utf8.count
    }
}

extension HTTPRequestHead {
    /// `METHOD URI HTTP/x.y\r\n`, each field as `Name: value\r\n`, then `\r\n`.
    public func serialized() -> [UInt8] {
        let capacity = method.utf8.count &+ uri.utf8.count &+ HeadSerializer.versionLength(version) &+ 4
            &+ HeadSerializer.fieldsLength(headers)
        var out: [UInt8] = []
        out.reserveCapacity(capacity)
        HeadSerializer.append(method, to: &out)
        out.append(ASCII.space)
        HeadSerializer.append(uri, to: &out)
        out.append(ASCII.space)
        HeadSerializer.appendVersion(version, to: &out)
        out.append(ASCII.cr)
        out.append(ASCII.lf)
        HeadSerializer.appendFields(headers, to: &out)
        return out
    }
}

extension HTTPResponseHead {
    /// `HTTP/x.y NNN reason\r\n` (the space before an empty reason is kept, as RFC 9112
    /// requires), the fields, then `\r\n`.
    public func serialized() -> [UInt8] {
        let statusText = String(status)
        let capacity = HeadSerializer.versionLength(version) &+ statusText.utf8.count &+ reason.utf8.count &+ 4
            &+ HeadSerializer.fieldsLength(headers)
        var out: [UInt8] = []
        out.reserveCapacity(capacity)
        HeadSerializer.appendVersion(version, to: &out)
        out.append(ASCII.space)
        HeadSerializer.append(statusText, to: &out)
        out.append(ASCII.space)
        HeadSerializer.append(reason, to: &out)
        out.append(ASCII.cr)
        out.append(ASCII.lf)
        HeadSerializer.appendFields(headers, to: &out)
        return out
    }
}
