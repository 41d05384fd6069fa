// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Pounce",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pounce", targets: ["pounce"]),
    ],
    targets: [
        // System libraries: only includes and module maps, no code.
        .systemLibrary(
            name: "CPCRE2",
            path: "Sources/CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),

        // Pound's "genpat": POSIX ERE, PCRE2 (JIT), exact/prefix/suffix/contain.
        .target(name: "PoundRegex", dependencies: ["CPCRE2"]),

        // The pound.cfg language: scanner, parser, typed model, diagnostics.
        .target(name: "PoundConfig", dependencies: ["PoundRegex"]),

        // Command line, logging setup and program life; `main` only calls in here.
        .target(name: "PounceApp", dependencies: ["PoundConfig"]),
        .executableTarget(name: "pounce", dependencies: ["PounceApp"]),

        .testTarget(name: "PoundRegexTests", dependencies: ["PoundRegex"]),
        .testTarget(name: "PoundConfigTests", dependencies: ["PoundConfig"]),
        .testTarget(name: "PounceAppTests", dependencies: ["PounceApp", "pounce"]),
    ],
    swiftLanguageModes: [.v6]
)
