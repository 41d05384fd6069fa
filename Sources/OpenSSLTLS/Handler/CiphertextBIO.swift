import COpenSSL
import NIOCore

/// The ciphertext side of one connection, seen by OpenSSL as a BIO.
///
/// Memory BIOs would copy every byte in and out once more and keep their buffers at
/// their peak size for the life of the connection (BUF_MEM never shrinks), which
/// adds up over thousands of idle keep-alive connections. This BIO instead lets
/// OpenSSL read records straight out of the `ByteBuffer`s NIO delivered and write
/// records straight into the `ByteBuffer` that will go to the socket.
final class CiphertextBIO {
    /// Received ciphertext OpenSSL has not consumed yet.
    var input: ByteBuffer
    /// Ciphertext OpenSSL produced that has not been passed on yet.
    var output: ByteBuffer
    /// The peer closed its side: reads past `input` report EOF instead of "retry".
    var inputEnded = false
    /// An empty buffer to hand out; writing to a copy allocates fresh storage, so
    /// nothing large stays referenced here between uses.
    private let empty: ByteBuffer

    /// The BIO (one reference, for `SSL_set_bio`); it points back at `self` unretained,
    /// so the owner must keep `self` alive until the `SSL` is freed.
    private(set) var bio: OpaquePointer?

    init(allocator: ByteBufferAllocator) {
        empty = allocator.buffer(capacity: 0)
        input = empty
        output = empty
        guard let method = CiphertextBIOMethod.shared.method, let bio = BIO_new(method) else { return }
        BIO_set_data(bio, Unmanaged.passUnretained(self).toOpaque())
        BIO_set_init(bio, 1)
        self.bio = bio
    }

    /// Queues received bytes behind any OpenSSL has not consumed yet.
    func receive(_ buffer: ByteBuffer) {
        if input.readableBytes == 0 {
            input = buffer
        } else {
            var more = buffer
            input.writeBuffer(&more)
        }
    }

    /// Takes what OpenSSL wrote so far, leaving `output` empty.
    func takeOutput() -> ByteBuffer {
        let out = output
        output = empty
        return out
    }

    /// Makes room in `output` for about `bytes` more, in one allocation.
    func reserveOutput(_ bytes: Int) {
        output.reserveCapacity(minimumWritableBytes: bytes)
    }

    /// Lets go of a fully consumed input buffer, so NIO's read buffer is not kept.
    func releaseConsumedInput() {
        if input.readableBytes == 0 { input = empty }
    }

    /// Drops what is buffered (the connection is going away).
    func reset() {
        input = empty
        output = empty
    }

    fileprivate static func from(_ bio: OpaquePointer?) -> CiphertextBIO? {
        guard let bio, let data = BIO_get_data(bio) else { return nil }
        return Unmanaged<CiphertextBIO>.fromOpaque(data).takeUnretainedValue()
    }
}

/// The `BIO_METHOD` shared by all connections, created on first use.
private final class CiphertextBIOMethod: @unchecked Sendable {
    static let shared = CiphertextBIOMethod()

    let method: OpaquePointer?

    private init() {
        let type = BIO_get_new_index() | BIO_TYPE_SOURCE_SINK
        guard let method = BIO_meth_new(type, "pounce ciphertext") else {
            self.method = nil
            return
        }
        BIO_meth_set_write(method) { bio, data, length in
            guard let state = CiphertextBIO.from(bio), let data, length >= 0 else { return -1 }
            pounce_BIO_clear_retry_flags(bio)
            state.output.writeBytes(UnsafeRawBufferPointer(start: data, count: Int(length)))
            return length
        }
        BIO_meth_set_read(method) { bio, data, length in
            guard let state = CiphertextBIO.from(bio), let data, length >= 0 else { return -1 }
            pounce_BIO_clear_retry_flags(bio)
            let available = state.input.readableBytes
            if available == 0 {
                if state.inputEnded { return 0 }
                pounce_BIO_set_retry_read(bio)
                return -1
            }
            let count = min(available, Int(length))
            state.input.withUnsafeReadableBytes { bytes in
                if let base = bytes.baseAddress {
                    UnsafeMutableRawPointer(data).copyMemory(from: base, byteCount: count)
                }
            }
            state.input.moveReaderIndex(forwardBy: count)
            return Int32(count)
        }
        BIO_meth_set_ctrl(method) { bio, command, _, _ in
            switch command {
            case BIO_CTRL_FLUSH:
                return 1
            case BIO_CTRL_PENDING:
                return CiphertextBIO.from(bio).map { $0.input.readableBytes } ?? 0
            case BIO_CTRL_EOF:
                guard let state = CiphertextBIO.from(bio) else { return 1 }
                return state.inputEnded && state.input.readableBytes == 0 ? 1 : 0
            default:
                return 0
            }
        }
        BIO_meth_set_create(method) { _ in 1 }
        BIO_meth_set_destroy(method) { bio in
            BIO_set_data(bio, nil)
            return 1
        }
        self.method = method
    }
}
