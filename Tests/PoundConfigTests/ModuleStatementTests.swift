import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import PoundConfig

/// `LoadModule` and `ModuleDirectory` (Pounce extensions).
final class ModuleStatementTests: XCTestCase {
    func testAbsolutePathsKeptInOrderWithTheirRanges() throws {
        let c = try XCTUnwrap(assertAccepts("""
            LoadModule "/opt/pounce/libTenantAffinity.so"
            LoadModule "/opt/pounce/libOther.so"

            """))
        XCTAssertEqual(c.modules.map(\.path), ["/opt/pounce/libTenantAffinity.so", "/opt/pounce/libOther.so"])
        XCTAssertEqual(c.modules.map(\.name), c.modules.map(\.path))
        XCTAssertEqual(c.modules.map(\.range.description), ["pound.cfg:1.12-45", "pound.cfg:2.12-36"])
    }

    func testNoModulesByDefault() throws {
        let c = try XCTUnwrap(assertAccepts("User \"root\"\n"))
        XCTAssertTrue(c.modules.isEmpty)
        XCTAssertEqual(c.moduleDirectory, "/usr/lib/pounce/modules")
    }

    func testBareNameIsLookedForInTheDefaultModuleDirectory() throws {
        let c = try XCTUnwrap(assertAccepts("LoadModule \"tenant-not-installed\"\n"))
        XCTAssertEqual(c.modules.first?.name, "tenant-not-installed")
        XCTAssertEqual(c.modules.first?.path, "/usr/lib/pounce/modules/tenant-not-installed")
    }

    func testBareNameFindsNameSoOrLibNameSo() throws {
        let f = ConfigFixture()
        f.write("mods/libTenantAffinity.so", "")
        f.write("mods/plain.so", "")
        f.write("mods/exact", "")
        f.write("pound.cfg", """
            ModuleDirectory "\(f.directory)/mods/"
            LoadModule "TenantAffinity"
            LoadModule "plain"
            LoadModule "exact"
            LoadModule "absent"
            LoadModule "absent.so"

            """)
        let c = try XCTUnwrap(f.load().config)
        let dir = f.directory + "/mods"
        XCTAssertEqual(c.modules.map(\.path), [dir + "/libTenantAffinity.so", dir + "/plain.so", dir + "/exact",
                                               dir + "/absent", dir + "/absent.so"])
    }

    func testModuleDirectoryAppliesToLaterStatementsOnly() throws {
        let c = try XCTUnwrap(assertAccepts("""
            LoadModule "first"
            ModuleDirectory "/srv/modules"
            LoadModule "second"

            """))
        XCTAssertEqual(c.modules.map(\.path), ["/usr/lib/pounce/modules/first", "/srv/modules/second"])
        XCTAssertEqual(c.moduleDirectory, "/srv/modules")
    }

    func testRelativeNamesResolveAgainstTheIncludeDirectory() throws {
        let f = ConfigFixture()
        mkdir(f.directory + "/etc", 0o755)
        f.write("pound.cfg", """
            IncludeDir "\(f.directory)/etc"
            LoadModule "mods/libx.so"
            ModuleDirectory "lib"
            LoadModule "y"

            """)
        let c = try XCTUnwrap(f.load().config)
        XCTAssertEqual(c.modules.map(\.path), [f.directory + "/etc/mods/libx.so", f.directory + "/etc/lib/y"])
        XCTAssertEqual(c.modules.first?.name, "mods/libx.so")
    }

    func testRelativeNamesWithoutIncludeDirectoryStayRelative() throws {
        // -Wno-include-dir: relative names are opened from the working directory.
        let c = try XCTUnwrap(assertAccepts("LoadModule \"./libx.so\"\n"))
        XCTAssertEqual(c.modules.first?.path, "./libx.so")
    }

    func testModuleFilesAreNotOpenedByTheParser() throws {
        // Loading reports a missing file, with dlerror's text, when Pounce starts.
        XCTAssertNotNil(assertAccepts("LoadModule \"/nonexistent/libx.so\"\n"))
    }

    func testMalformedStatements() {
        assertRejects("LoadModule tenant\n", ["pound.cfg:1.12-17: expected quoted string, but found identifier"])
        assertRejects("LoadModule \"\"\n", ["pound.cfg:1.12-13: empty file name"])
        assertRejects("ModuleDirectory \"\"\n", ["pound.cfg:1.17-18: empty file name"])
        assertRejects("LoadModule\n", ["pound.cfg:1.10-2: expected quoted string, but found end of line"])
    }

    func testOnlyAtTopLevel() {
        assertRejects("ListenHTTP\nAddress 127.0.0.1\nPort 80\nLoadModule \"/x.so\"\nEnd\n",
                      ["pound.cfg:4.1-10: unrecognized keyword"])
    }
}
