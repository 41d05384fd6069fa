// swift-tools-version:6.0
import PackageDescription

// An out-of-tree Pounce session module: sticky sessions by tenant (an X-Tenant header,
// or the `tenant` claim of a bearer JWT). Built on its own, loaded with `LoadModule`.
let package = Package(
    name: "TenantAffinity",
    products: [
        // A dynamic library: the file `LoadModule` names (libTenantAffinity.so).
        .library(name: "TenantAffinity", type: .dynamic, targets: ["TenantAffinity"]),
    ],
    dependencies: [
        // The module API, by path here; it must be the very API (and Swift toolchain)
        // the pounce that loads the module was built with.
        .package(path: "../../ModuleAPI"),
    ],
    targets: [
        .target(name: "TenantAffinity", dependencies: [
            .product(name: "PounceModuleAPI", package: "ModuleAPI"),
        ]),
        .testTarget(name: "TenantAffinityTests", dependencies: ["TenantAffinity"]),
    ],
    swiftLanguageModes: [.v6]
)
