// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Pounce",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pounce", targets: ["pounce"]),
        // For the fuzzers in Fuzz/, a package of their own that depends on this one by
        // path: a package sees only another's products. Nothing here builds differently.
        .library(name: "PoundConfig", targets: ["PoundConfig"]),
        .library(name: "HTTPWire", targets: ["HTTPWire"]),
        .library(name: "Routing", targets: ["Routing"]),
        .library(name: "VRRP", targets: ["VRRP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        // HTTP/2 framing, HPACK and flow control for clients that negotiate h2.
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        // The module API: a package of its own, linked as a dynamic library by the host
        // and by every module, so protocol casts work across dlopen.
        .package(path: "Plugins/ModuleAPI"),
    ],
    targets: [
        // System libraries: only includes and module maps, no code.
        .systemLibrary(
            name: "CPCRE2",
            path: "Sources/CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),

        // OpenSSL 3 (libssl, libcrypto) for the HTTPS listeners; the shim wraps the macros.
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),

        // libcrypt (libxcrypt) for crypt(3) hashes in BasicAuth password files.
        .systemLibrary(
            name: "CCrypt",
            path: "Sources/CCrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),

        // Lua 5.4 (liblua5.4) for Pound's Lua extension language; the bridge keeps Lua's
        // longjmp errors out of Swift frames and holds the instruction-budget hook.
        .systemLibrary(
            name: "CLua",
            path: "Sources/CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .target(name: "CLuaBridge", dependencies: ["CLua"]),

        // c-ares for dynamic backends' DNS lookups, driven by a thread of its own; the
        // bridge keeps UDP sockets unconnected (sendto/recvfrom) and flattens replies.
        .systemLibrary(
            name: "CCAres",
            path: "Sources/CCAres",
            pkgConfig: "libcares",
            providers: [.apt(["libc-ares-dev"])]
        ),
        .target(name: "CCAresBridge", dependencies: ["CCAres"]),
        .target(name: "DNSResolution", dependencies: ["CCAresBridge"]),

        // Pound's "genpat": POSIX ERE, PCRE2 (JIT), exact/prefix/suffix/contain.
        .target(name: "PoundRegex", dependencies: ["CPCRE2"]),

        // The pound.cfg language: scanner, parser, typed model, diagnostics.
        .target(name: "PoundConfig", dependencies: ["PoundRegex"]),

        // HTTP/1.x on the wire: heads, framing, smuggling rules. Pure value types, no I/O.
        .target(name: "HTTPWire"),

        // The built-in session types and balancers: modules like any user's, written
        // against the module API only, linked in rather than loaded.
        .target(name: "BuiltinModules", dependencies: [
            .product(name: "PounceModuleAPI", package: "ModuleAPI"),
        ], path: "Plugins/BuiltinModules"),

        // Choosing where a request goes: service conditions, balancers, sessions.
        .target(name: "Routing", dependencies: [
            "PoundConfig", "PoundRegex", "HTTPWire", "CCrypt", "COpenSSL", "BuiltinModules", "Digests",
            .product(name: "Atomics", package: "swift-atomics"),
            .product(name: "PounceModuleAPI", package: "ModuleAPI"),
        ]),

        // Pound's Lua: per-loop and global states, the `pound`/`http` API, LuaMatch,
        // LuaModify and LuaBackend calls (Routing's ScriptEngine).
        .target(name: "PoundLua", dependencies: [
            "CLua", "CLuaBridge", "Routing", "PoundConfig", "HTTPWire",
        ]),

        // `LoadModule`: dlopen, the API version check, Swift and C-ABI modules.
        .target(name: "ModuleLoader", dependencies: [
            .product(name: "PounceModuleAPI", package: "ModuleAPI"),
            .product(name: "CPounceModuleABI", package: "ModuleAPI"),
        ]),

        // `-filewatch`: inotify (or stat polling) on a thread of its own, reloading files.
        .target(name: "FileWatch"),

        // TLS for ListenHTTPS on OpenSSL: contexts from TLSSettings, the NIO handler.
        // Automatic HTTPS (`AutoCert`): RFC 8555 (ACME) through the system OpenSSL (keys, JWS,
        // CSRs), the certificates' life cycle and the manager thread that renews them.
        .target(name: "ACME", dependencies: ["COpenSSL", "OpenSSLTLS", "HTTPWire", "PoundConfig"]),
        .target(name: "OpenSSLTLS", dependencies: [
            "COpenSSL", "PoundConfig", "HTTPWire",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),

        // Request log formats (LogLevel 0-5, LogFormat) and the log sinks (stderr/syslog).
        .target(name: "RequestLog", dependencies: ["PoundConfig", "HTTPWire"]),

        // Process life: SocketFrom fd passing, daemon mode, PID file, privileges, signals.
        // prctl/capset for keeping VRRP's capabilities across a User/Group privilege drop.
        .systemLibrary(name: "CProcessSupport", path: "Sources/CProcessSupport"),
        .target(name: "ProcessSupport", dependencies: ["CProcessSupport"]),

        // The proxy engine on SwiftNIO: listeners, client and backend connections, the pool.
        .target(name: "ProxyCore", dependencies: [
            "PoundConfig", "HTTPWire", "Routing", "RequestLog", "ProcessSupport", "OpenSSLTLS", "VRRP", "DNSResolution",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            .product(name: "NIOHPACK", package: "swift-nio-http2"),
        ]),

        // VRRP v2/v3: packets and the RFC 5798 state machine. Pure value types, no I/O.
        // MD5 and SHA-1 in Swift: BasicAuth password files and VRRPv2's AH authentication.
        .target(name: "Digests"),

        // Linux helpers for the VRRP daemon's I/O: netlink macros, ifreq, ip_mreqn, sockaddr_ll.
        .target(name: "CVRRPLinux"),

        // The router: the state machine driven from a NIO handler, raw sockets, netlink, GARP.
        .target(name: "VRRP", dependencies: [
            "Digests", "CVRRPLinux",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),

        // Command line and program life; `main` only calls in here.
        .target(name: "PounceApp", dependencies: [
            "PoundConfig", "Routing", "RequestLog", "ProxyCore", "ProcessSupport", "FileWatch", "ModuleLoader", "VRRP",
            "PoundLua", "ACME", "OpenSSLTLS",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .executableTarget(name: "pounce", dependencies: ["PounceApp"]),

        // Two-line HTTP server for the README demo and the tests: says who it is.
        .executableTarget(name: "pounce-demo-backend", dependencies: [
            "HTTPWire",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], path: "Sources/DemoBackend"),

        .testTarget(name: "PoundRegexTests", dependencies: ["PoundRegex"]),
        .testTarget(name: "PoundConfigTests", dependencies: ["PoundConfig"]),
        .testTarget(name: "HTTPWireTests", dependencies: ["HTTPWire"]),
        .testTarget(name: "RoutingTests", dependencies: [
            "Routing", "BuiltinModules", "Digests", .product(name: "PounceModuleAPI", package: "ModuleAPI"),
        ]),
        .testTarget(name: "FileWatchTests", dependencies: ["FileWatch"]),
        // A DNS server on 127.0.0.1 whose records a test changes: for the resolver's
        // tests and the process tests of dynamic backends.
        .target(name: "DNSTestServer", path: "Tests/DNSTestServer"),
        .testTarget(name: "DNSResolutionTests", dependencies: ["DNSResolution", "CCAresBridge", "DNSTestServer"]),
        .testTarget(name: "PoundLuaTests", dependencies: ["PoundLua", "Routing", "PoundConfig", "HTTPWire"]),
        .testTarget(name: "BuiltinModulesTests", dependencies: ["BuiltinModules"]),
        .testTarget(name: "ModuleLoaderTests", dependencies: ["ModuleLoader"]),
        // Pebble (Let's Encrypt's ACME test server) run for a test: the ACME client's tests
        // and the process tests of automatic HTTPS.
        .target(name: "PebbleHarness", path: "Tests/PebbleHarness"),
        .testTarget(name: "ACMETests", dependencies: ["ACME", "PoundConfig", "PebbleHarness"]),
        // A scratch PKI with `openssl ocsp` as its responder: the OCSP tests of OpenSSLTLS
        // and the process tests of stapling.
        .target(name: "OCSPResponderHarness", path: "Tests/OCSPResponderHarness"),
        .testTarget(name: "OpenSSLTLSTests", dependencies: [
            "OpenSSLTLS", "OCSPResponderHarness",
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "RequestLogTests", dependencies: ["RequestLog"]),
        .testTarget(name: "ProxyCoreTests", dependencies: [
            "ProxyCore", "PoundConfig", "Routing", "RequestLog",
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "VRRPTests", dependencies: [
            "VRRP", "Digests", "CVRRPLinux",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "ProcessSupportTests", dependencies: ["ProcessSupport"]),
        // Process tests of `pounce`; the in-process TLS backend uses OpenSSLTLS on NIO.
        .testTarget(name: "PounceAppTests", dependencies: [
            "PounceApp", "pounce", "pounce-demo-backend", "OpenSSLTLS", "PoundConfig", "DNSTestServer", "PebbleHarness",
            "OCSPResponderHarness",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], exclude: ["Support/h2probe.py", "Support/loadclient.py"]),
    ],
    swiftLanguageModes: [.v6]
)

// Release builds of our own Swift targets leave out Swift's run-time exclusivity
// checks (swift_beginAccess on accesses to classes' stored properties): 3.8% of the
// instructions of an HTTPS keep-alive request, 1.6% of a plain one
// (Benchmarks/instructions.sh: 109,573 -> 105,403 and 81,062 -> 79,777). A package
// sets no flags for its dependencies: scripts/build-release.sh, which every release
// build here goes through, passes the flag to SwiftNIO and the rest as well.
// Debug builds, and so every test run, keep the checks; the compile-time ones stay in both.
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? [])
        + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
}
