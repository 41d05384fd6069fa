import NIOCore

/// One HTTP health check on a fresh connection: sends the request when the channel is
/// active, reads up to the end of the status line, and reports whether the status is
/// one the check expects. Whatever happens first (answer, close, error, deadline)
/// settles the outcome; the connection is closed then.
final class HTTPCheckHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Longer than any sane status line; a backend sending more without a newline
    /// is not speaking HTTP.
    static let maxStatusLine = 1024

    private let request: ByteBuffer
    private let expect: ClosedRange<Int>
    private let deadline: NIODeadline
    private let promise: EventLoopPromise<HealthCheckState.Outcome>
    private var line: [UInt8] = []
    private var done = false
    private var timer: Scheduled<Void>?

    init(request: ByteBuffer, expect: ClosedRange<Int>, deadline: NIODeadline,
         promise: EventLoopPromise<HealthCheckState.Outcome>) {
        self.request = request
        self.expect = expect
        self.deadline = deadline
        self.promise = promise
    }

    /// The request text: `METHOD PATH HTTP/1.1`, `Host`, `Connection: close`.
    static func request(method: String, path: String, host: String) -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.finish(.failure(reason: "timed out"), context: context)
        }
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { bytes in
            for b in bytes {
                line.append(b)
                if b == 10 || line.count > Self.maxStatusLine { break }
            }
        }
        if line.last == 10 {
            finish(Self.judge(statusLine: line, expect: expect), context: context)
        } else if line.count > Self.maxStatusLine {
            finish(.failure(reason: "bad status line"), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(reason: "connection closed before the status line"), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(.failure(reason: SystemErrorText.describe(error)), context: context)
    }

    private func finish(_ outcome: HealthCheckState.Outcome, context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        timer?.cancel()
        timer = nil
        promise.succeed(outcome)
        context.close(promise: nil)
    }

    /// `HTTP/1.x NNN ...`: success when NNN is expected.
    static func judge(statusLine: [UInt8], expect: ClosedRange<Int>) -> HealthCheckState.Outcome {
        guard let status = status(of: statusLine) else { return .failure(reason: "bad status line") }
        return expect.contains(status) ? .success : .failure(reason: "status \(status)")
    }

    /// The status code of a status line, nil if it is not one.
    static func status(of line: [UInt8]) -> Int? {
        let prefix = Array("HTTP/".utf8)
        guard line.count >= 12, Array(line[0..<5]) == prefix else { return nil }
        // HTTP/d.d SP ddd
        guard line[5] >= 48, line[5] <= 57, line[6] == 46, line[7] >= 48, line[7] <= 57, line[8] == 32 else {
            return nil
        }
        var status = 0
        for b in line[9..<12] {
            guard b >= 48, b <= 57 else { return nil }
            status = status * 10 + Int(b - 48)
        }
        if line.count > 12, line[12] != 32, line[12] != 13, line[12] != 10 { return nil }
        return status >= 100 ? status : nil
    }
}
