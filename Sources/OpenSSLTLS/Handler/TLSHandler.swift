import COpenSSL
import NIOCore

/// TLS for one connection, either side: ciphertext below, plaintext `ByteBuffer`s
/// above. As a server (a `ListenHTTPS` client connection) it waits for the
/// ClientHello; as a client (an HTTPS backend connection) it sends its ClientHello
/// as soon as the channel is active.
///
/// - Reads: pass-through for explicit reads (autoRead off). A `read()` from above is
///   forwarded; when the bytes that arrive yield no plaintext (handshake, partial
///   record, ticket) the handler reads again itself, so the layer above sees
///   `channelRead`+`channelReadComplete` only with plaintext. During the handshake the
///   handler reads on its own.
/// - Writes: plaintext is held until `flush`, then encrypted (small writes share a
///   record) and written as ciphertext; a write's promise completes when the
///   ciphertext carrying its last byte has been written. Writes before the handshake
///   completes wait for it.
/// - Close: `close_notify`, then the socket close once it is written. A close_notify
///   from the peer closes the connection like a TCP FIN does (or, with
///   `allowRemoteHalfClosure`, fires `ChannelEvent.inputClosed`).
/// - Errors never trap: the connection is closed (after sending OpenSSL's alert) and
///   `onError` gets a Pound-style line, e.g. "handshake failed: error:0A00010B:SSL
///   routines::wrong version number" (as a client: "handshake with backend failed:
///   ...", Pound's words).
/// - `TLSHandshakeCompleted` is fired inbound once, before the first plaintext.
public final class TLSHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        /// Not in a pipeline yet.
        case idle
        case handshaking
        case open
        /// Our close_notify is out; waiting for it to be written to close.
        case closing
        case closed
    }

    private struct PendingWrite {
        var data: ByteBuffer
        var promise: EventLoopPromise<Void>?
    }

    /// Plaintext writes up to this size are copied together so they share records.
    private static let coalesceLimit = 16 * 1024
    /// Larger writes are encrypted in slices of this size, and ciphertext is passed on
    /// once this much has accumulated, bounding the memory one flush needs.
    private static let sliceSize = 64 * 1024
    /// TLS record overhead allowance per 16 KiB record (header, tag, CBC padding).
    private static let recordOverhead = 128

    /// Which side of the handshake this end plays, with the context it draws on.
    private enum Role {
        case server(TLSServerContext)
        case client(TLSClientContext)
    }

    private let role: Role
    private let onError: ((String) -> Void)?
    /// Internal for tests, which ask OpenSSL about the session directly.
    private(set) var ssl: OpaquePointer?
    private var ciphertext: CiphertextBIO?
    private var state = State.idle

    /// Plaintext writes in arrival order; the first `flushedCount` were flushed.
    private var pendingWrites = CircularBuffer<PendingWrite>(initialCapacity: 4)
    private var flushedCount = 0
    /// `encryptFlushed` passed ciphertext on before its end (`emitIfLarge`).
    private var emittedLarge = false
    /// Small flushed writes copied together, not yet accepted by `SSL_write`.
    private var staged = ByteBuffer()
    private var empty = ByteBuffer()
    private var stagedPromises: [EventLoopPromise<Void>] = []
    /// Writes whose plaintext is encrypted into `ciphertext.output`, awaiting its write.
    private var encryptedPromises: [EventLoopPromise<Void>] = []
    /// `SSL_write` needs the peer first (a TLS 1.2 renegotiation in progress).
    private var writeBlockedOnRead = false

    /// The layer above called `read()` and has not been given plaintext since.
    private var upperWantsRead = false
    /// Plaintext went up since the last `channelReadComplete`.
    private var deliveredPlaintext = false
    private var closePromise: EventLoopPromise<Void>?
    /// The peer's close_notify arrived (reported once).
    private var peerSentCloseNotify = false

    /// What the handshake settled; nil until it completes.
    public private(set) var connectionInfo: TLSConnectionInfo?

    /// The server side of an accepted connection.
    ///
    /// - Parameters:
    ///   - context: the listener's TLS context.
    ///   - onError: called (on the event loop) with a one-line description when the
    ///     handshake or the TLS session fails, just before the connection is closed.
    public init(context: TLSServerContext, onError: ((String) -> Void)? = nil) {
        self.role = .server(context)
        self.onError = onError
    }

    /// The client side of a connection to an HTTPS backend; the handshake starts
    /// when the channel is (or becomes) active.
    public init(context: TLSClientContext, onError: ((String) -> Void)? = nil) {
        self.role = .client(context)
        self.onError = onError
    }

    deinit {
        if let ssl { SSL_free(ssl) }
    }

    // MARK: pipeline life

    public func handlerAdded(context: ChannelHandlerContext) {
        empty = context.channel.allocator.buffer(capacity: 0)
        staged = empty
        let buffers = CiphertextBIO(allocator: context.channel.allocator)
        let made: OpaquePointer?
        switch role {
        case .server(let tls): made = tls.makeSSL()
        case .client(let tls): made = tls.makeSSL()
        }
        guard let bio = buffers.bio, let ssl = made else {
            if let bio = buffers.bio { BIO_free(bio) }
            OpenSSLErrors.clear()
            state = .closed
            onError?("SSL_new failed")
            context.close(promise: nil)
            return
        }
        SSL_set_bio(ssl, bio, bio)
        if case .client = role {
            SSL_set_connect_state(ssl)
        } else {
            SSL_set_accept_state(ssl)
        }
        self.ssl = ssl
        self.ciphertext = buffers
        state = .handshaking
        if context.channel.isActive { startHandshake(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        state = .closed
        failPendingWrites(ChannelError.ioOnClosedChannel)
        releaseSSL()
    }

    public func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        if case .handshaking = state { startHandshake(context: context) }
    }

    /// A client speaks first: its ClientHello goes out now. Either side then reads
    /// until the handshake is done.
    private func startHandshake(context: ChannelHandlerContext) {
        if case .client = role {
            advance(context: context)
            guard case .handshaking = state else { return }
        }
        context.read()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if case .handshaking = state, let ssl, let ciphertext {
            // Let OpenSSL see the end of input so the report says what Pound's does
            // ("unexpected eof while reading").
            ciphertext.inputEnded = true
            OpenSSLErrors.clear()
            let rc = SSL_do_handshake(ssl)
            if rc != 1 { reportHandshakeFailure() }
        }
        state = .closed
        failPendingWrites(ChannelError.ioOnClosedChannel)
        ciphertext?.reset()
        if let closePromise {
            self.closePromise = nil
            closePromise.succeed(())
        }
        context.fireChannelInactive()
    }

    // MARK: inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let ciphertext else { return }
        switch state {
        case .handshaking, .open:
            ciphertext.receive(unwrapInboundIn(data))
            advance(context: context)
        case .idle, .closing, .closed:
            // After our close_notify nothing the peer sends matters.
            break
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if deliveredPlaintext {
            deliveredPlaintext = false
            context.fireChannelReadComplete()
            return
        }
        switch state {
        case .handshaking:
            context.read()
        case .open:
            if upperWantsRead || writeBlockedOnRead { context.read() }
        case .idle, .closing, .closed:
            break
        }
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed, case .handshaking = state,
           let ssl, let ciphertext {
            ciphertext.inputEnded = true
            OpenSSLErrors.clear()
            let rc = SSL_do_handshake(ssl)
            if rc != 1 {
                reportHandshakeFailure()
                abort(context: context)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Moves the session forward after ciphertext arrived: the handshake, then any
    /// plaintext, then whatever OpenSSL has to send.
    private func advance(context: ChannelHandlerContext) {
        guard let ssl, let ciphertext else { return }
        defer { ciphertext.releaseConsumedInput() }
        OpenSSLErrors.clear()
        if case .handshaking = state {
            // Our flights (a server's certificate chain included) in one allocation.
            if ciphertext.output.capacity == 0 { ciphertext.reserveOutput(4096) }
            let rc = SSL_do_handshake(ssl)
            if rc != 1 {
                let error = SSL_get_error(ssl, rc)
                if error == SSL_ERROR_WANT_READ {
                    if emit(context: context) { context.flush() }
                    return
                }
                reportHandshakeFailure()
                // The alert OpenSSL prepared tells the peer why.
                if emit(context: context) { context.flush() }
                abort(context: context)
                return
            }
            state = .open
            let info = TLSConnectionInfo(ssl: ssl)
            // Describing the peer may queue errors (a serial too long for a `long`);
            // left there, SSL_get_error would take the next SSL_read's WANT_READ
            // for a failure.
            OpenSSLErrors.clear()
            connectionInfo = info
            // Our last flight (a server's TLS 1.3 tickets, a client's Finished) goes
            // out with the first data or right below, whichever comes first.
            context.fireUserInboundEventTriggered(TLSHandshakeCompleted(info: info))
            guard case .open = state else { return }
            if flushedCount > 0 {
                encryptFlushed(context: context)
            } else if emit(context: context) {
                context.flush()
            }
            guard case .open = state else { return }
        }
        readPlaintext(context: context, ssl: ssl, ciphertext: ciphertext)
    }

    private func readPlaintext(context: ChannelHandlerContext, ssl: OpaquePointer, ciphertext: CiphertextBIO) {
        // Plaintext is never longer than the ciphertext it came from, plus at most one
        // record OpenSSL already holds part of.
        let expected = ciphertext.input.readableBytes + (SSL_has_pending(ssl) == 1 ? 16 * 1024 : 0)
        guard expected > 0 || SSL_pending(ssl) > 0 else { return }
        var plaintext = context.channel.allocator.buffer(capacity: max(expected, 256))
        var peerClosed = false
        var failure: String?
        reading: while true {
            if plaintext.writableBytes == 0 {
                let more = SSL_pending(ssl) > 0 || SSL_has_pending(ssl) == 1 || ciphertext.input.readableBytes > 0
                if !more { break }
                plaintext.reserveCapacity(minimumWritableBytes: 16 * 1024)
            }
            var rc: Int32 = 0
            plaintext.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { bytes in
                rc = SSL_read(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
                return rc > 0 ? Int(rc) : 0
            }
            if rc > 0 { continue }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                break reading
            case SSL_ERROR_ZERO_RETURN:
                peerClosed = true
                break reading
            default:
                failure = OpenSSLErrors.first() ?? "connection reset by peer"
                break reading
            }
        }

        if plaintext.readableBytes > 0 {
            upperWantsRead = false
            deliveredPlaintext = true
            context.fireChannelRead(wrapInboundOut(plaintext))
        }
        if let failure {
            onError?("TLS read failed: " + failure)
            if emit(context: context) { context.flush() }
            abort(context: context)
            return
        }
        guard case .open = state else { return }
        // Post-handshake messages (key updates, a renegotiation) may need answers.
        if writeBlockedOnRead {
            writeBlockedOnRead = false
            encryptFlushed(context: context)
        } else if emit(context: context) {
            context.flush()
        }
        if peerClosed, !peerSentCloseNotify, case .open = state {
            peerSentCloseNotify = true
            if deliveredPlaintext {
                deliveredPlaintext = false
                context.fireChannelReadComplete()
            }
            guard case .open = state else { return }
            if context.channel.isHalfClosureAllowed {
                context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            } else {
                shutdown(context: context, mode: .all, promise: nil)
            }
        }
    }

    private func reportHandshakeFailure() {
        // No queued error means the peer just went away (Pound's wording).
        let reason = OpenSSLErrors.first() ?? "connection reset by peer"
        switch role {
        case .server: onError?("handshake failed: " + reason)
        case .client: onError?("handshake with backend failed: " + reason)
        }
    }

    // MARK: outbound

    public func read(context: ChannelHandlerContext) {
        upperWantsRead = true
        context.read()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch state {
        case .idle, .handshaking, .open:
            pendingWrites.append(PendingWrite(data: unwrapOutboundIn(data), promise: promise))
        case .closing, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        flushedCount = pendingWrites.count
        if case .open = state, !writeBlockedOnRead {
            encryptFlushed(context: context)
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch (state, mode) {
        case (_, .input):
            context.close(mode: .input, promise: promise)
        case (.open, _):
            shutdown(context: context, mode: mode, promise: promise)
        case (.closing, _):
            // Not waiting any longer for the close_notify to be written.
            state = .closed
            let first = closePromise
            closePromise = nil
            if let first, let promise { first.futureResult.cascade(to: promise) }
            context.close(mode: mode, promise: first ?? promise)
        case (.idle, _), (.handshaking, _), (.closed, _):
            state = .closed
            failPendingWrites(ChannelError.ioOnClosedChannel)
            context.close(mode: mode, promise: promise)
        }
    }

    /// Sends close_notify after what was flushed, then closes once it is written.
    private func shutdown(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard let ssl else {
            context.close(mode: mode, promise: promise)
            return
        }
        if !writeBlockedOnRead {
            encryptFlushed(context: context, flushing: false)
            guard case .open = state else {
                promise?.fail(ChannelError.ioOnClosedChannel)
                return
            }
        }
        // Whatever is encrypted goes first; what is not (unflushed, or blocked on a
        // renegotiation) is failed, as a plain channel fails unwritten data on close.
        emit(context: context)
        state = .closing
        failPendingWrites(ChannelError.ioOnClosedChannel)
        OpenSSLErrors.clear()
        _ = SSL_shutdown(ssl)
        OpenSSLErrors.clear()
        closePromise = promise ?? context.eventLoop.makePromise(of: Void.self)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { [weak self] _ in
            guard let self, case .closing = self.state else { return }
            self.state = .closed
            let closed = self.closePromise
            self.closePromise = nil
            context.close(mode: mode, promise: closed)
        }
        if !emit(context: context, extraPromise: written) { written.succeed(()) }
        context.flush()
    }

    /// Closes at once without close_notify (after a fatal error).
    private func abort(context: ChannelHandlerContext) {
        state = .closed
        failPendingWrites(ChannelError.ioOnClosedChannel)
        context.close(promise: nil)
    }

    // MARK: encryption

    private enum WriteOutcome {
        case done
        case blocked
        case failed(String)
    }

    /// Encrypts the flushed writes and passes the ciphertext on.
    private func encryptFlushed(context: ChannelHandlerContext, flushing: Bool = true) {
        guard let ssl, let ciphertext,
              flushedCount > 0 || staged.readableBytes > 0 || !stagedPromises.isEmpty else { return }
        OpenSSLErrors.clear()
        reserveOutput(ciphertext)
        emittedLarge = false
        var outcome = WriteOutcome.done
        encrypting: while true {
            // Staged bytes (possibly left by a blocked attempt) go first, unchanged,
            // as OpenSSL wants a retried write to be.
            if staged.readableBytes > 0 || !stagedPromises.isEmpty {
                if staged.readableBytes > 0 {
                    outcome = sslWrite(ssl, staged, bytes: staged.readableBytes)
                    guard case .done = outcome else { break encrypting }
                    staged = empty
                }
                encryptedPromises.append(contentsOf: stagedPromises)
                stagedPromises.removeAll(keepingCapacity: true)
                emitIfLarge(context: context, ciphertext: ciphertext)
                continue
            }
            guard flushedCount > 0 else { break }
            // Several small writes (a response head and a short body) share records.
            let (count, total) = smallWritesAhead()
            if count > 1 {
                staged.reserveCapacity(total)
                for _ in 0..<count {
                    var write = pendingWrites.removeFirst()
                    flushedCount -= 1
                    staged.writeBuffer(&write.data)
                    if let promise = write.promise { stagedPromises.append(promise) }
                }
                continue
            }
            // Anything else is encrypted in place, slice by slice.
            let index = pendingWrites.startIndex
            while pendingWrites[index].data.readableBytes > 0 {
                let bytes = min(pendingWrites[index].data.readableBytes, Self.sliceSize)
                outcome = sslWrite(ssl, pendingWrites[index].data, bytes: bytes)
                guard case .done = outcome else { break encrypting }
                pendingWrites[index].data.moveReaderIndex(forwardBy: bytes)
                emitIfLarge(context: context, ciphertext: ciphertext)
            }
            let write = pendingWrites.removeFirst()
            flushedCount -= 1
            if let promise = write.promise { encryptedPromises.append(promise) }
        }
        switch outcome {
        case .done:
            break
        case .blocked:
            writeBlockedOnRead = true
            context.read()
        case .failed(let reason):
            onError?("TLS write failed: " + reason)
            if emit(context: context) { context.flush() }
            abort(context: context)
            return
        }
        // Ciphertext passed on while encrypting (a large body) needs the flush as
        // much as the last piece: left unflushed, it keeps the channel unwritable.
        if emit(context: context) || emittedLarge, flushing { context.flush() }
    }

    /// How many flushed writes from the first one fit in one record together, and
    /// their total size.
    private func smallWritesAhead() -> (count: Int, bytes: Int) {
        var count = 0
        var bytes = 0
        var index = pendingWrites.startIndex
        while count < flushedCount {
            let size = pendingWrites[index].data.readableBytes
            if bytes + size > Self.coalesceLimit { break }
            bytes += size
            count += 1
            index = pendingWrites.index(after: index)
        }
        return (count, bytes)
    }

    private func sslWrite(_ ssl: OpaquePointer, _ buffer: ByteBuffer, bytes: Int) -> WriteOutcome {
        let rc = buffer.withUnsafeReadableBytes { plaintext in
            SSL_write(ssl, plaintext.baseAddress, Int32(bytes))
        }
        if rc > 0 { return .done }
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ:
            return .blocked
        default:
            return .failed(OpenSSLErrors.first() ?? "SSL_write failed")
        }
    }

    /// Sizes the output buffer for the flushed plaintext in one allocation.
    private func reserveOutput(_ ciphertext: CiphertextBIO) {
        var plaintext = staged.readableBytes
        var index = pendingWrites.startIndex
        for _ in 0..<flushedCount {
            plaintext += pendingWrites[index].data.readableBytes
            if plaintext >= Self.sliceSize { break }
            index = pendingWrites.index(after: index)
        }
        let bytes = min(plaintext, Self.sliceSize)
        ciphertext.reserveOutput(bytes + (bytes / (16 * 1024) + 1) * Self.recordOverhead)
    }

    /// Passes ciphertext on once enough has accumulated. The promises waiting stay for
    /// the ciphertext carrying their writes' last bytes.
    private func emitIfLarge(context: ChannelHandlerContext, ciphertext: CiphertextBIO) {
        guard ciphertext.output.readableBytes >= Self.sliceSize else { return }
        emittedLarge = true
        send(context: context, ciphertext: ciphertext.takeOutput(), promise: nil)
        reserveOutput(ciphertext)
    }

    /// Writes (without flushing) the ciphertext produced so far, completing the
    /// promises of every write it finishes. Returns whether anything was written.
    @discardableResult
    private func emit(context: ChannelHandlerContext, extraPromise: EventLoopPromise<Void>? = nil) -> Bool {
        guard let ciphertext else { return false }
        if let extraPromise { encryptedPromises.append(extraPromise) }
        guard ciphertext.output.readableBytes > 0 || !encryptedPromises.isEmpty else { return false }
        let promise: EventLoopPromise<Void>?
        switch encryptedPromises.count {
        case 0:
            promise = nil
        case 1:
            promise = encryptedPromises[0]
        default:
            let combined = context.eventLoop.makePromise(of: Void.self)
            for each in encryptedPromises { combined.futureResult.cascade(to: each) }
            promise = combined
        }
        encryptedPromises.removeAll(keepingCapacity: true)
        send(context: context, ciphertext: ciphertext.takeOutput(), promise: promise)
        return true
    }

    private func send(context: ChannelHandlerContext, ciphertext: ByteBuffer, promise: EventLoopPromise<Void>?) {
        context.write(wrapOutboundOut(ciphertext), promise: promise)
    }

    // MARK: cleanup

    private func failPendingWrites(_ error: Error) {
        flushedCount = 0
        while let write = pendingWrites.popFirst() {
            write.promise?.fail(error)
        }
        staged = empty
        for promise in stagedPromises { promise.fail(error) }
        stagedPromises.removeAll()
        for promise in encryptedPromises { promise.fail(error) }
        encryptedPromises.removeAll()
        writeBlockedOnRead = false
    }

    private func releaseSSL() {
        if let ssl {
            SSL_free(ssl)
            self.ssl = nil
        }
        ciphertext?.reset()
        ciphertext = nil
    }
}

extension Channel {
    /// Whether the channel reports a half-closed input instead of closing.
    fileprivate var isHalfClosureAllowed: Bool {
        (try? syncOptions?.getOption(ChannelOptions.allowRemoteHalfClosure)) ?? false
    }
}

/// The name the listener side has always used.
public typealias TLSServerHandler = TLSHandler
