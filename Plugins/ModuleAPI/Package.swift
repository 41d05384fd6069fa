// swift-tools-version:6.0
import PackageDescription

// The API between Pounce and its balancing and session modules. It is a package of
// its own, built as a dynamic library, because a Swift protocol cast across dlopen
// only works when the host and the module use the very same copy of the protocol's
// metadata: both link this library, and the dynamic loader hands the module the copy
// the host already loaded.
let package = Package(
    name: "PounceModuleAPI",
    products: [
        .library(name: "PounceModuleAPI", type: .dynamic, targets: ["PounceModuleAPI"]),
        // The C ABI (pounce_module.h), for the host's loader and for modules in C.
        .library(name: "CPounceModuleABI", targets: ["CPounceModuleABI"]),
    ],
    targets: [
        .target(name: "CPounceModuleABI"),
        .target(name: "PounceModuleAPI"),
    ]
)
