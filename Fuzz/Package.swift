// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets over Pounce's input parsers. A package of its own so the main
// package builds as before; scripts/fuzz.sh builds it with
//   swift build --package-path Fuzz -c debug -Xswiftc -sanitize=fuzzer,address --scratch-path Fuzz/.build
// and runs each executable (fuzz-config, fuzz-http-head, ...) on a copy of Corpus/<target>.
let package = Package(
    name: "PounceFuzz",
    dependencies: [
        .package(name: "Pounce", path: ".."),
    ],
    targets: [
        // Calls libFuzzer's LLVMFuzzerRunDriver from the executables' Swift `main`
        // (SwiftPM links every executable with `main` aliased to the Swift entry point,
        // so libFuzzer's own main cannot be used).
        .target(name: "FuzzDriver"),
        .executableTarget(name: "fuzz-config", dependencies: [
            "FuzzDriver",
            .product(name: "PoundConfig", package: "Pounce"),
            .product(name: "Routing", package: "Pounce"),
        ], path: "Sources/config"),
        .executableTarget(name: "fuzz-http-head", dependencies: [
            "FuzzDriver", .product(name: "HTTPWire", package: "Pounce"),
        ], path: "Sources/http-head"),
        .executableTarget(name: "fuzz-http-chunked", dependencies: [
            "FuzzDriver", .product(name: "HTTPWire", package: "Pounce"),
        ], path: "Sources/http-chunked"),
        .executableTarget(name: "fuzz-template", dependencies: [
            "FuzzDriver",
            .product(name: "Routing", package: "Pounce"),
            .product(name: "PoundConfig", package: "Pounce"),
            .product(name: "HTTPWire", package: "Pounce"),
        ], path: "Sources/template"),
        .executableTarget(name: "fuzz-vrrp", dependencies: [
            "FuzzDriver", .product(name: "VRRP", package: "Pounce"),
        ], path: "Sources/vrrp"),
    ],
    swiftLanguageModes: [.v6]
)
