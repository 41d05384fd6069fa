import COpenSSL

/// Reading a memory BIO's contents as text (certificate printing goes through them).
enum MemoryBIO {
    /// Runs `body` with a fresh memory BIO and returns what it wrote, or nil when
    /// `body` fails or the BIO cannot be created.
    static func text(_ body: (OpaquePointer) -> Bool) -> String? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard body(bio) else { return nil }
        var data: UnsafeMutablePointer<CChar>?
        let length = pounce_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { return "" }
        let bytes = UnsafeRawBufferPointer(start: data, count: Int(length))
        return String(decoding: bytes, as: UTF8.self)
    }
}
