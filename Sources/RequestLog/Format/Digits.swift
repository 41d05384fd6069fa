/// Number printing into a byte buffer without building intermediate Strings.
enum Digits {
    /// Decimal, at least `width` characters, left-padded with `pad` (printf `%3d`, `%03ld`).
    static func append(_ value: UInt64, width: Int = 0, pad: UInt8 = UInt8(ascii: "0"), to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var v = value
            var n = 0
            repeat {
                buf[19 - n] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
                v /= 10
                n += 1
            } while v != 0
            if n < width {
                out.append(contentsOf: repeatElement(pad, count: width - n))
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[(20 - n)...]))
        }
    }

    /// Lowercase hexadecimal (printf `%lx`).
    static func appendHex(_ value: UInt, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { buf in
            var v = value
            var n = 0
            repeat {
                buf[15 - n] = hex[Int(v & 0xf)]
                v >>= 4
                n += 1
            } while v != 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[(16 - n)...]))
        }
    }
}
