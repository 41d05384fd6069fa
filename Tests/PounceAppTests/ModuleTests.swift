import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `LoadModule` end to end: the example module built out of tree and loaded into
/// `pounce`, and the errors of modules that cannot be loaded.
final class ModuleTests: XCTestCase {
    private var dir = ""

    override func setUp() {
        dir = PounceProcess.temporaryDirectory()
    }

    private func check(_ config: String) -> PounceProcess.Result {
        PounceProcess.write(config, to: dir + "/pound.cfg")
        return PounceProcess.run(["-c", "-Wno-dns", "-Wno-include-dir", "-f", "pound.cfg"], in: dir)
    }

    /// The columns `LoadModule "NAME"` gives its string on line 1.
    private func range(of name: String, line: Int = 1) -> String {
        "pound.cfg:\(line).12-\(12 + name.utf8.count + 1)"
    }

    private func tenantConfig(module: String, backends: [TestBackend]) -> String {
        var text = """
            Daemon 0
            LogFacility -
            LoadModule "\(module)"
            ListenHTTP
                Address 127.0.0.1
                Port {PORT}
            End
            Service
                Session
                    Type "tenant"
                    ID "X-Tenant"
                    TTL 300
                End

            """
        for b in backends { text += "    Backend\n        Address 127.0.0.1\n        Port \(b.port)\n    End\n" }
        return text + "End\n"
    }

    private func backendName(port: Int, headers: String) throws -> String {
        let c = try TCP(port: port)
        c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\(headers)Connection: close\r\n\r\n")
        guard let reply = c.readResponse(), let name = reply.header("x-backend") else {
            throw HarnessError("no answer from a backend")
        }
        return name
    }

    // MARK: The example module (needs Routing to look session types up in the registry)

    func testExampleModuleKeepsEachTenantOnItsBackend() throws {
        let module = try ModuleBuilds.tenantAffinity.get()
        let backends = try [TestBackend(name: "b1"), TestBackend(name: "b2")]
        let p = try RunningPounce(config: tenantConfig(module: module, backends: backends))
        defer { p.stop() }

        var seen: [String: Set<String>] = [:]
        for i in 0..<20 {
            let tenant = i % 2 == 0 ? "a" : "b"
            seen[tenant, default: []].insert(try backendName(port: p.port, headers: "X-Tenant: \(tenant)\r\n"))
        }
        XCTAssertEqual(seen["a"]?.count, 1, "tenant a went to \(seen["a"] ?? [])")
        XCTAssertEqual(seen["b"]?.count, 1, "tenant b went to \(seen["b"] ?? [])")
        XCTAssertEqual(backends.map(\.requests.count).reduce(0, +), 20)

        // The tenant claim of a bearer JWT is the key when the header is absent.
        let payload = Data(#"{"sub":"u1","tenant":"a"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
        for _ in 0..<4 {
            let name = try backendName(port: p.port, headers: "Authorization: Bearer eyJhbGciOiJub25lIn0.\(payload).x\r\n")
            XCTAssertEqual(name, seen["a"]?.first)
        }

        // Without a key the balancer spreads requests: the stickiness above is the module's.
        var keyless: Set<String> = []
        for _ in 0..<24 { keyless.insert(try backendName(port: p.port, headers: "")) }
        XCTAssertEqual(keyless, ["b1", "b2"])
    }

    func testCheckAcceptsTheExampleModule() throws {
        let module = try ModuleBuilds.tenantAffinity.get()
        let backend = try TestBackend(name: "b1")
        let r = check(tenantConfig(module: module, backends: [backend]).replacingOccurrences(of: "{PORT}", with: "8080"))
        XCTAssertEqual(r.stderr, "")
        XCTAssertEqual(r.status, 0)
    }

    // MARK: Loading (independent of Routing's lookup)

    func testBareNameIsFoundInTheModuleDirectory() throws {
        let module = try ModuleBuilds.tenantAffinity.get()
        let moduleDirectory = (module as NSString).deletingLastPathComponent
        let r = check("ModuleDirectory \"\(moduleDirectory)\"\nLoadModule \"TenantAffinity\"\n")
        XCTAssertEqual(r.stderr, "")
        XCTAssertEqual(r.status, 0)
    }

    func testUnknownSessionTypeIsAConfigurationError() {
        let r = check("""
            Service
                Session
                    Type "tenant"
                    TTL 300
                End
                Backend
                    Address 127.0.0.1
                    Port 8080
                End
            End

            """)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("pounce: pound.cfg:2."), r.stderr)
        XCTAssertTrue(r.stderr.contains("session module \"tenant\" not available"), r.stderr)
    }

    func testSwiftModuleOfAnotherAPIVersionIsRefused() throws {
        // The Swift entry points, from C: the version is all the loader looks at first.
        let module = try ModuleBuilds.compileC("future", """
            int pounce_module_api_version(void) { return 99; }
            void pounce_module_register(void *registry) { }
            """)
        let r = check("LoadModule \"\(module)\"\n")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "pounce: \(range(of: module)): \(module): module built against module API version 99, this pounce has 2; rebuild it against this pounce's PounceModuleAPI\n")
        XCTAssertEqual(r.stdout, "")
    }

    func testCModuleOfAnotherABIVersionIsRefused() throws {
        let module = try ModuleBuilds.compileC("abi99", """
            #include <pounce_module.h>
            static const pounce_module_v1 module = { 99, 0, 0, 0, 0 };
            const pounce_module_v1 *pounce_module_c_entry_v1(void) { return &module; }
            """)
        let r = check("LoadModule \"\(module)\"\n")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "pounce: \(range(of: module)): \(module): module built against C module ABI version 99, this pounce has 2\n")
    }

    func testMissingModuleFileNamesTheFile() {
        let missing = dir + "/libmissing.so"
        let expected = "pounce: \(range(of: missing)): \(missing): cannot open shared object file: No such file or directory\n"
        let r = check("LoadModule \"\(missing)\"\n")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, expected)

        // Starting for real fails the same way, before any listener opens.
        PounceProcess.write("Daemon 0\nLoadModule \"\(missing)\"\nListenHTTP\nAddress 127.0.0.1\nPort \(FreePort.next())\nEnd\n",
                            to: dir + "/run.cfg")
        let run = PounceProcess.run(["-e", "-Wno-dns", "-Wno-include-dir", "-f", "run.cfg"], in: dir)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, expected.replacingOccurrences(of: "pound.cfg:1.", with: "run.cfg:2."))
    }

    func testLibraryThatIsNoModule() throws {
        let library = try ModuleBuilds.compileC("plain", "int answer(void) { return 42; }\n")
        let r = check("\nLoadModule \"\(library)\"\n")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "pounce: \(range(of: library, line: 2)): \(library): not a pounce module (no pounce_module_register, pounce_module_c_entry_v2 or pounce_module_c_entry_v1)\n")
    }

    func testSecondModuleFailingStopsAtItsLine() throws {
        let good = try ModuleBuilds.tenantAffinity.get()
        let missing = dir + "/libmissing.so"
        let r = check("LoadModule \"\(good)\"\nLoadModule \"\(missing)\"\n")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("pounce: \(range(of: missing, line: 2)): \(missing): "), r.stderr)
    }
}
