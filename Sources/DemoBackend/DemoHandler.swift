import NIOCore

/// One client connection: parses requests as bytes arrive and answers them in order
/// (pipelined requests included), closing when a request asks for it.
final class DemoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let responder: DemoResponder
    private var parser = RequestParser()
    private var pending: ByteBuffer?
    private var closing = false

    init(responder: DemoResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var incoming = unwrapInboundIn(data)
        if pending == nil {
            pending = incoming
        } else {
            pending?.writeBuffer(&incoming)
        }
        guard var buffer = pending else { return }
        pending = nil
        var wrote = false
        defer {
            if wrote { context.flush() }
        }
        while !closing {
            let request: DemoRequest?
            do {
                request = try parser.next(&buffer)
            } catch {
                let status: Int
                switch error {
                case .tooLarge: status = 413
                case .bad: status = 400
                }
                context.write(wrapOutboundOut(DemoResponder.badRequest(allocator: context.channel.allocator,
                                                                       name: responder.name, status: status)),
                              promise: nil)
                wrote = true
                close(context)
                return
            }
            guard let request else { break }
            let (response, keepAlive) = responder.respond(to: request, allocator: context.channel.allocator)
            context.write(wrapOutboundOut(response), promise: nil)
            wrote = true
            if !keepAlive { close(context) }
        }
        if buffer.readableBytes > 0 {
            buffer.discardReadBytes()
            pending = buffer
        }
    }

    private func close(_ context: ChannelHandlerContext) {
        closing = true
        // Close once everything written so far has gone out (close alone would drop it).
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
