extension String {
    /// The string's UTF-8 bytes, read in place: native and small strings have them
    /// contiguous; only a string that does not is copied. Unlike `withUTF8`, it needs
    /// no `var` (which costs a copy of the string's reference). Inlinable: the other
    /// modules call it per header, where a generic call would cost more than the work.
    @inlinable @inline(__always)
    public func withUTF8Bytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let result = try utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}
