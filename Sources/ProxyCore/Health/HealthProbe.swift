import NIOCore
import NIOPosix

/// One kind of probe at one address: Pound's TCP connect, or an HTTP request whose
/// status line is judged. Runs on the loop it is given; the future never fails, a
/// broken probe being a `.failure` outcome.
struct HealthProbe: Sendable {
    enum Kind: Sendable {
        case connect
        /// `request` is the whole request text; `tls` the backend's client context.
        case http(request: String, expect: ClosedRange<Int>, tls: BackendTLS?)
    }

    let address: SocketAddress
    let kind: Kind
    /// Seconds the whole probe may take.
    let timeout: Int

    func run(on loop: EventLoop) -> EventLoopFuture<HealthCheckState.Outcome> {
        let seconds = TimeAmount.seconds(Int64(max(timeout, 1)))
        switch kind {
        case .connect:
            return ClientBootstrap(group: loop)
                .connectTimeout(seconds)
                .connect(to: address)
                .map { channel -> HealthCheckState.Outcome in
                    channel.close(promise: nil)
                    return .success
                }
                .recover { .failure(reason: SystemErrorText.describe($0)) }
        case .http(let text, let expect, let tls):
            let promise = loop.makePromise(of: HealthCheckState.Outcome.self)
            let deadline = NIODeadline.now() + seconds
            let request = ByteBuffer(string: text)
            ClientBootstrap(group: loop)
                .connectTimeout(seconds)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(tls.handler(threadTag: "health"))
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPCheckHandler(request: request, expect: expect, deadline: deadline, promise: promise))
                    }
                }
                .connect(to: address)
                .whenFailure { promise.succeed(.failure(reason: SystemErrorText.describe($0))) }
            return promise.futureResult
        }
    }
}
