/// `pounce-demo-backend --port N --name NAME [--address 127.0.0.1] [--verbose]`.
struct DemoOptions {
    var port = -1
    var name = ""
    var address = "127.0.0.1"
    var verbose = false

    static let usage = """
        usage: pounce-demo-backend --port N --name NAME [--address ADDR] [--verbose]

        A small HTTP/1.1 server for the Pounce demo and tests. Prints "ready" once it
        listens ("ready PORT" with --port 0). Endpoints:
          /echo...       200, the request body echoed; x-orig-uri and x-orig-header-NAME
          /status/NNN    that status
          anything else  "Hello from NAME (request #K)" and, without a DEMOSESSION
                         cookie, Set-Cookie: DEMOSESSION=NAME-RANDOM; Path=/
        Every response carries x-backend-name: NAME.

        """

    enum ParseError: Error, CustomStringConvertible {
        case message(String)
        case help
        var description: String {
            switch self {
            case .message(let m): m
            case .help: "help"
            }
        }
    }

    static func parse(_ args: [String]) throws(ParseError) -> DemoOptions {
        var o = DemoOptions()
        var i = 0
        func value(_ flag: String) throws(ParseError) -> String {
            i += 1
            guard i < args.count else { throw .message("\(flag) needs a value") }
            return args[i]
        }
        while i < args.count {
            let arg = args[i]
            switch arg {
            case "--port", "-p":
                let v = try value(arg)
                guard let p = Int(v), (0...65535).contains(p) else { throw .message("bad port: \(v)") }
                o.port = p
            case "--name", "-n":
                o.name = try value(arg)
            case "--address", "-a":
                o.address = try value(arg)
            case "--verbose", "-v":
                o.verbose = true
            case "--help", "-h":
                throw .help
            default:
                throw .message("unknown argument: \(arg)")
            }
            i += 1
        }
        guard o.port >= 0 else { throw .message("--port is required") }
        guard !o.name.isEmpty else { throw .message("--name is required") }
        return o
    }
}
