/// Writes heads as Pound sends them: start line, `Name: value` lines, all ending in
/// CRLF, then the empty line. The length is computed first, so a caller sizes its
/// buffer once and the bytes are copied straight into it (no intermediate array).
enum HeadSerializer {
    @inline(__always)
    static func fieldsLength(_ headers: HTTPHeaders) -> Int {
        headers.fields.withUnsafeBufferPointer { fields in
            var length = 2
            for i in fields.indices {
                let counts = fields[i].byteCounts
                length &+= counts.name &+ counts.value &+ 4
            }
            return length
        }
    }

    /// A cursor over memory the caller sized with the head's `serializedLength`; it
    /// traps rather than write past the end.
    struct Writer {
        /// Non-nil whenever `capacity` > 0, which every write checks first.
        let base: UnsafeMutableRawPointer?
        let capacity: Int
        var offset = 0

        init(_ memory: UnsafeMutableRawBufferPointer) {
            base = memory.baseAddress
            capacity = memory.baseAddress == nil ? 0 : memory.count
        }

        @inline(__always)
        mutating func byte(_ b: UInt8) {
            precondition(offset < capacity, "head buffer too small")
            base.unsafelyUnwrapped.storeBytes(of: b, toByteOffset: offset, as: UInt8.self)
            offset &+= 1
        }

        @inline(__always)
        mutating func crlf() {
            byte(ASCII.cr)
            byte(ASCII.lf)
        }

        @inline(__always)
        mutating func string(_ s: String) {
            // Native and small strings give their bytes in place; only a bridged
            // string would take the slow path.
            if s.utf8.withContiguousStorageIfAvailable({ bytes(UnsafeRawBufferPointer($0)) }) == nil {
                for b in s.utf8 { byte(b) }
            }
        }

        @inline(__always)
        mutating func bytes(_ bytes: UnsafeRawBufferPointer) {
            precondition(bytes.count <= capacity &- offset, "head buffer too small")
            if bytes.count > 0, let from = bytes.baseAddress {
                (base.unsafelyUnwrapped + offset).copyMemory(from: from, byteCount: bytes.count)
            }
            offset &+= bytes.count
        }

        @inline(__always)
        mutating func fields(_ headers: HTTPHeaders) {
            headers.fields.withUnsafeBufferPointer { fields in
                for i in fields.indices {
                    fields[i].withNameBytes { bytes($0) }
                    byte(ASCII.colon)
                    byte(ASCII.space)
                    fields[i].withValueBytes { bytes($0) }
                    crlf()
                }
            }
            crlf()
        }

        /// `HTTP/x.y`; 8 bytes for the single-digit versions HTTP/1 has.
        @inline(__always)
        mutating func version(_ version: HTTPVersion) {
            if HeadSerializer.isShort(version) {
                for b: UInt8 in [0x48, 0x54, 0x54, 0x50, 0x2F] { byte(b) }
                byte(0x30 &+ UInt8(version.major))
                byte(0x2E)
                byte(0x30 &+ UInt8(version.minor))
            } else {
                string(version.description)
            }
        }

        /// A status code's three (or more) decimal digits.
        @inline(__always)
        mutating func status(_ status: Int) {
            if (100...999).contains(status) {
                byte(0x30 &+ UInt8(status / 100))
                byte(0x30 &+ UInt8(status / 10 % 10))
                byte(0x30 &+ UInt8(status % 10))
            } else {
                string(String(status))
            }
        }
    }

    @inline(__always)
    static func isShort(_ version: HTTPVersion) -> Bool {
        (0...9).contains(version.major) && (0...9).contains(version.minor)
    }

    static func versionLength(_ version: HTTPVersion) -> Int {
        isShort(version) ? 8 : version.description.utf8.count
    }

    static func statusLength(_ status: Int) -> Int {
        (100...999).contains(status) ? 3 : String(status).utf8.count
    }

    /// Runs `write` over exactly `length` fresh bytes.
    static func bytes(length: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            count = write(UnsafeMutableRawBufferPointer(buffer))
        }
    }
}

/// A message head as it goes on the wire: start line, fields, empty line. Lets a
/// caller size its buffer once (`serializedLength`) and write into it directly.
public protocol SerializableHead {
    /// The size of `serialize(into:)`'s output.
    var serializedLength: Int { get }
    /// Writes the head into `memory` (at least `serializedLength` bytes); returns the
    /// bytes written.
    func serialize(into memory: UnsafeMutableRawBufferPointer) -> Int
}

extension SerializableHead {
    public func serialized() -> [UInt8] {
        HeadSerializer.bytes(length: serializedLength) { serialize(into: $0) }
    }
}

extension HeadSerializer {
    /// What the two head types share: the start line (by `writeStartLine`), the fields,
    /// the empty line.
    @inline(__always)
    static func write(into memory: UnsafeMutableRawBufferPointer, _ headers: HTTPHeaders,
                      startLine writeStartLine: (inout Writer) -> Void) -> Int {
        var out = Writer(memory)
        writeStartLine(&out)
        out.fields(headers)
        return out.offset
    }
}

extension HTTPRequestHead: SerializableHead {
    public var serializedLength: Int {
        method.utf8.count &+ uri.utf8.count &+ HeadSerializer.versionLength(version) &+ 4
            &+ HeadSerializer.fieldsLength(headers)
    }

    /// `METHOD URI HTTP/x.y\r\n`, each field as `Name: value\r\n`, then `\r\n`.
    public func serialize(into memory: UnsafeMutableRawBufferPointer) -> Int {
        HeadSerializer.write(into: memory, headers) { out in
            out.string(method)
            out.byte(ASCII.space)
            out.string(uri)
            out.byte(ASCII.space)
            out.version(version)
            out.crlf()
        }
    }
}

extension HTTPResponseHead: SerializableHead {
    public var serializedLength: Int {
        HeadSerializer.versionLength(version) &+ HeadSerializer.statusLength(status) &+ reason.utf8.count &+ 4
            &+ HeadSerializer.fieldsLength(headers)
    }

    /// `HTTP/x.y NNN reason\r\n` (the space before an empty reason is kept, as RFC 9112
    /// requires), the fields, then `\r\n`.
    public func serialize(into memory: UnsafeMutableRawBufferPointer) -> Int {
        HeadSerializer.write(into: memory, headers) { out in
            out.version(version)
            out.byte(ASCII.space)
            out.status(status)
            out.byte(ASCII.space)
            out.string(reason)
            out.crlf()
        }
    }
}
