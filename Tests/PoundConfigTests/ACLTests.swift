import XCTest
@testable import PoundConfig

final class ACLTests: XCTestCase {
    func testNamedInlineAndFileACLs() {
        let fixture = ConfigFixture()
        fixture.write("aclok", "10.0.0.0/8\n\"192.168.0.1\"\n::1\n")
        fixture.write("acl1", "127.0.0.1\n  10.0.0.0/33x\n#c\n")
        let config = loadChecked("""
            ACL "a"
            \t"1.2.3.4"
            \t"10.1.2.3/8"
            \t"::1/64"
            \t"fe80::/10"
            \t"1.2.3.4/"
            \t"::1/200"
            End
            ACL "b" -file "aclok"
            Service
            \tACL "a"
            \tACL -forwarded "b"
            \tACL
            \t\t"127.0.0.1/32"
            \tEnd
            \tACL -filewatch "acl1"
            \tNot ACL "b"
            End
            TrustedIP "a"

            """, in: fixture, succeeds: true, [
                // A watched file's bad lines are reported, the good ones used.
                "\(fixture.directory)/acl1:2: invalid netmask",
            ])
        guard let config else { return }
        let a = config.acls["a"]
        XCTAssertEqual(a?.entries, [
            CIDR(family: .inet, address: [1, 2, 3, 4], prefixLength: 32),
            CIDR(family: .inet, address: [10, 0, 0, 0], prefixLength: 8),
            CIDR(family: .inet6, address: [0, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8), prefixLength: 64),
            CIDR(family: .inet6, address: [0xfe, 0x80] + [UInt8](repeating: 0, count: 14), prefixLength: 10),
            CIDR(family: .inet, address: [0, 0, 0, 0], prefixLength: 0),
            CIDR(family: .inet6, address: [UInt8](repeating: 0, count: 15) + [1], prefixLength: 128),
        ])
        XCTAssertEqual(a?.contains([10, 1, 2, 3]), true)
        XCTAssertEqual(config.acls["b"]?.entries.count, 3)
        XCTAssertEqual(config.acls["b"]?.file?.watch, false)
        XCTAssertEqual(config.trustedIPs?.name, "a")
        let c = conditions(config)
        XCTAssertEqual(c.count, 5)
        guard c.count == 5 else { return }
        if case .acl(let acl, let fwd) = c[0] { XCTAssertEqual(acl.name, "a"); XCTAssertFalse(fwd) } else { XCTFail() }
        if case .acl(let acl, let fwd) = c[1] { XCTAssertEqual(acl.name, "b"); XCTAssertTrue(fwd) } else { XCTFail() }
        if case .acl(let acl, _) = c[2] {
            XCTAssertNil(acl.name)
            XCTAssertEqual(acl.entries.first?.contains([127, 0, 0, 1]), true)
            XCTAssertEqual(acl.entries.first?.contains([127, 0, 0, 2]), false)
        } else { XCTFail() }
        if case .acl(let acl, _) = c[3] {
            XCTAssertEqual(acl.file?.watch, true)
            XCTAssertEqual(acl.entries.count, 1)
        } else { XCTFail() }
        if case .not(.acl(let acl, _)) = c[4] { XCTAssertEqual(acl.name, "b") } else { XCTFail() }
    }

    func testInlineTrustedIPAndInclude() {
        let fixture = ConfigFixture()
        fixture.write("aclinc", "\"127.0.0.1\"\n")
        let config = loadChecked("ACL \"a\"\n\tInclude \"aclinc\"\nEnd\nTrustedIP\n\t\"1.2.3.4\"\nEnd\n", in: fixture, succeeds: true, [])
        XCTAssertEqual(config?.acls["a"]?.entries.count, 1)
        XCTAssertEqual(config?.trustedIPs?.entries.first?.address, [1, 2, 3, 4])
    }

    // MARK: - Rejected configurations (messages verified with Pound 4.23)

    func testReferenceToUndefinedACL() {
        loadChecked(service("\tACL \"nosuch\"\n"), succeeds: false, ["pound.cfg:2.13-20: no such ACL: nosuch"])
        loadChecked("TrustedIP \"nosuch\"\n", succeeds: false, ["pound.cfg:1.11-18: no such ACL: nosuch"])
        loadChecked(service("\tACL 12\n"), succeeds: false, ["pound.cfg:2.13-14: expected ACL name or definition, but found number"])
    }

    func testBadCIDR() {
        loadChecked("ACL \"a\"\n\t\"1.2.3.4/x\"\nEnd\n", succeeds: false, ["pound.cfg:2.9-19: invalid netmask"])
        loadChecked("ACL \"a\"\n\t\"1.2.3.400\"\nEnd\n", succeeds: false,
                    ["pound.cfg:2.9-19: invalid IP address: Name or service not known"])
        loadChecked("ACL \"a\"\n\t\"::g\"\nEnd\n", succeeds: false,
                    ["pound.cfg:2.9-13: invalid IP address: Name or service not known"])
    }

    func testDuplicateNamedACL() {
        loadChecked("ACL \"a\"\n\t\"1.2.3.4\"\nEnd\nACL \"a\"\n\t\"::1\"\nEnd\n", succeeds: false,
                    ["pound.cfg:4.5-7: ACL with that name already defined"])
    }

    func testACLBodySyntax() {
        loadChecked("ACL \"a\"\n\tfoo\nEnd\n", succeeds: false,
                    ["pound.cfg:2.9-11: expected CIDR, \"Include\", or \"End\", but found identifier"])
        loadChecked("ACL \"a\" \"b\"\nEnd\n", succeeds: false, ["pound.cfg:1.9-11: expected newline, but found quoted string"])
        loadChecked("ACL \"a\" -forwarded\n\"1.2.3.4\"\nEnd\n", succeeds: false, ["pound.cfg:1.9-18: unsupported option: -forwarded"])
    }

    func testACLFiles() {
        loadChecked(service("\tACL -file \"nosuchacl\"\n"), succeeds: false, ["pound.cfg:2.29-3: file nosuchacl does not exist"])
        let fixture = ConfigFixture()
        fixture.write("aclbad", "1.2.3.4\nbad\n")
        loadChecked(service("\tACL -file \"aclbad\"\n"), in: fixture, succeeds: false, [
            "\(fixture.directory)/aclbad:2: invalid IP address: Name or service not known",
            "pound.cfg:2.26-3: errors reading aclbad",
        ])
    }
}
