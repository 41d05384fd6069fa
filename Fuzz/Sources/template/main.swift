// The template expander (Routing's Template): `$N`, `${N}`, `$N(M)`, `$N(tag)`, `%N`,
// `%[accessor ...]`, `$$`, `%XX`. Input: the template, optionally followed by NUL-
// separated request parts (URI, Host, X-Forwarded-For, Authorization) that the
// accessors read. Each template is parsed with both accessor policies and expanded
// against requests whose capture queues hold tagged matches, with and without
// Anonymise and TrustedIP (built once from a configuration, as the proxy does).
import FuzzDriver
import HTTPWire
import PoundConfig
import Routing
#if canImport(Glibc)
import Glibc
#endif

let service = """
  Service "s"
    Constant "S" "svc value"
    Host -tag "host" -re "^(www)[.]([^:]*)(:.*)?$"
    Path -tag "dir" "^/(x)/(y)?"
    Header -tag "fwd" -re "^X-Forwarded-For:[ ]*([0-9]+)[.](.*)$"
    Backend
      Address 127.0.0.1
      Port 9000
    End
  End
"""
let configurations = [
    """
    Constant "A" "global a/ü+=&"
    Constant "B" ""
    TrustedIP
      "127.0.0.0/8"
    End
    ListenHTTP
      Constant "L" "listener"
    \(service)
    End
    """,
    """
    Anonymise
    Constant "A" "a"
    ListenHTTP
    \(service)
    End
    """,
]

let defaultParts = ["/x/?lang=en&empty=&flag&a%20b=c%2Fd", "www.example.org:8443", "203.0.113.7, 10.0.0.1",
                    "Basic YWxpY2U6c2VjcmV0"]

func load(_ text: String) -> RoutingTable {
    var template = Array("/tmp/pounce-fuzz-template-XXXXXX".utf8CString)
    let dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    let path = dir + "/pound.cfg"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    defer { unlink(path); rmdir(dir) }
    var features = Features()
    features.dns = false
    features.includeDirectory = nil
    let diagnostics = Diagnostics()
    do {
        return try RoutingTable.build(ConfigLoader.load(file: path, features: features, diagnostics: diagnostics))
    } catch {
        fatalError("fuzz-template: the built-in configuration does not load: \(diagnostics.all)")
    }
}

func request(_ parts: [String], client: String) -> RoutingRequest {
    var headers = HTTPHeaders()
    headers.append("Host", parts[1])
    headers.append("X-Forwarded-For", parts[2])
    headers.append("Authorization", parts[3])
    let head = HTTPRequestHead(method: "GET", uri: parts[0], version: .http1_1, headers: headers)
    let address = ClientAddress(numeric: client, port: 40000) ?? ClientAddress(text: client, bytes: [], port: 0)
    return RoutingRequest(head: head, client: address, listener: ListenerInfo(index: 0, port: 80))
}

/// Requests after service selection: captures tagged host, dir and fwd, the scopes'
/// constants, TrustedIP or Anonymise. Selection runs on the default request; the
/// fuzzer's parts replace its head afterwards.
let selected: [RoutingRequest] = configurations.map(load).flatMap { table in
    ["127.0.0.1", "2001:db8::17", "unix"].map { client in
        var r = request(defaultParts, client: client)
        guard case .service = table.listeners[0].select(&r), !r.captures.isEmpty else {
            fatalError("fuzz-template: the built-in request selects no service")
        }
        return r
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let pieces = bytes.split(separator: 0, maxSplits: 4, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    let source = pieces.first ?? ""
    var parts = defaultParts
    for (i, piece) in pieces.dropFirst().enumerated() where i < parts.count { parts[i] = piece }
    let head = request(parts, client: "127.0.0.1").head

    for policy in [Template.UnknownAccessorPolicy.literal, .reject] {
        guard let template = try? Template(source, unknownAccessors: policy) else {
            precondition(policy == .reject, "the literal policy rejected \(source.debugDescription)")
            continue
        }
        precondition(template.source == source)
        for base in selected {
            var r = base
            r.head = head
            let e = template.expansion(r, what: "t")
            if template.isLiteral {
                precondition(e.succeeded, "a literal template failed: \(source.debugDescription)")
            }
            precondition(template.expand(r) == e.text)
        }
    }
    return 0
}

pounce_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    guard let data else { return withUnsafePointer(to: 0 as UInt8) { fuzz($0, 0) } }
    return fuzz(data, size)
}
