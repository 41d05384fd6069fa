#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

// A small keep-alive HTTP/1.1 server for the README demo and the integration tests.

let options: DemoOptions
do {
    options = try DemoOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    if case .help = error {
        DemoConsole.out(DemoOptions.usage)
        exit(0)
    }
    DemoConsole.err("pounce-demo-backend: \(error)\n" + DemoOptions.usage)
    exit(2)
}

signal(SIGPIPE, SIG_IGN)
let responder = DemoResponder(name: options.name, verbose: options.verbose)
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(DemoHandler(responder: responder))
        }
    }

do {
    let channel = try bootstrap.bind(host: options.address, port: options.port).wait()
    let port = channel.localAddress?.port ?? options.port
    DemoConsole.out(options.port == 0 ? "ready \(port)\n" : "ready\n")
    try channel.closeFuture.wait()
} catch {
    DemoConsole.err("pounce-demo-backend: cannot listen on \(options.address):\(options.port): \(error)\n")
    exit(1)
}
