import XCTest
import PoundRegex
@testable import PoundConfig

final class RewriteTests: XCTestCase {
    static let everyOperation = service("""
        \tSetHeader "X-A: b"
        \tDeleteHeader "X-B"
        \tSetURL "/x"
        \tSetPath -encode "/y"
        \tSetQuery "a=b"
        \tDeleteQuery
        \tSetQueryParam "a" "b"
        \tSetQueryParam -encode "a" "b"
        \tSetQueryParam "a" -encode "b"
        \tSetQueryParam "a"
        \tRewrite
        \t\tPath "^/a"
        \t\tSetPath "/b"
        \tElse
        \t\tHeader "X: y"
        \t\tSetHeader "Z: 1"
        \tElse
        \t\tSetHeader "Z: 2"
        \tEnd
        \tSetHeader "After: 1"
        \tRewrite request
        \t\tRewrite
        \t\t\tURL "x"
        \t\t\tSetURL "y"
        \t\tEnd
        \tEnd
        \tSetHeader "After: 2"
        \tRewrite response
        \t\tHeader "Content-Type" "text/html"
        \t\tSetHeader "X: y"
        \t\tDeleteHeader "Y"
        \tElse
        \t\tStringMatch "%[header X]" "y"
        \t\tSetHeader "A: b"
        \tElse
        \t\tURL "x"
        \t\tSetURL "y"
        \tEnd

        """)

    func testEveryOperationAndNesting() {
        let config = loadChecked(Self.everyOperation, succeeds: true, [])
        guard let rw = config?.services.first?.rewrite else { return XCTFail("no service") }
        XCTAssertEqual(rw.request.count, 4)
        XCTAssertEqual(rw.response.count, 1)
        guard rw.request.count == 4, rw.response.count == 1 else { return }

        // Operations written directly in the service form one unconditional rule.
        let direct = rw.request[0]
        XCTAssertTrue(direct.condition.isEmpty)
        XCTAssertEqual(direct.operations.count, 10)
        if case .setHeader(let h) = direct.operations[0] { XCTAssertEqual(h, "X-A: b") } else { XCTFail() }
        if case .deleteHeader(let p) = direct.operations[1] {
            XCTAssertEqual(p.kind, .posix)
            XCTAssertFalse(p.options.contains(.caseInsensitive))
        } else { XCTFail() }
        if case .setURL(let u) = direct.operations[2] { XCTAssertEqual(u, "/x") } else { XCTFail() }
        if case .setPath(let path, let encode) = direct.operations[3] { XCTAssertEqual(path, "/y"); XCTAssertTrue(encode) } else { XCTFail() }
        if case .setQuery(let q) = direct.operations[4] { XCTAssertEqual(q, "a=b") } else { XCTFail() }
        if case .deleteQuery = direct.operations[5] {} else { XCTFail() }
        if case .setQueryParam(let n, let v, let e) = direct.operations[6] {
            XCTAssertEqual(n, "a"); XCTAssertEqual(v, "b"); XCTAssertFalse(e)
        } else { XCTFail() }
        if case .setQueryParam(_, _, let e) = direct.operations[7] { XCTAssertTrue(e) } else { XCTFail() }
        if case .setQueryParam(_, _, let e) = direct.operations[8] { XCTAssertTrue(e) } else { XCTFail() }
        if case .setQueryParam(_, let v, _) = direct.operations[9] { XCTAssertNil(v) } else { XCTFail() }

        // Rewrite ... Else ... Else ... End: an else-if chain closed by a single End.
        let chain = rw.request[1]
        XCTAssertEqual(chain.condition.conditions.count, 1)
        XCTAssertEqual(chain.operations.count, 1)
        let second = chain.otherwise
        XCTAssertEqual(second?.condition.conditions.count, 1)
        XCTAssertEqual(second?.otherwise?.condition.conditions.count, 0)
        if case .setHeader(let h)? = second?.otherwise?.operations.first { XCTAssertEqual(h, "Z: 2") } else { XCTFail() }
        XCTAssertNil(second?.otherwise?.otherwise)

        // After a conditional rule, a direct operation starts a new unconditional rule...
        XCTAssertEqual(rw.request[2].operations.count, 1)
        // ...but after an unconditional Rewrite block it joins that block, as in Pound.
        let block = rw.request[3]
        XCTAssertEqual(block.operations.count, 2)
        if case .rule(let nested) = block.operations[0] {
            XCTAssertEqual(nested.condition.conditions.count, 1)
        } else { XCTFail() }
        if case .setHeader(let h) = block.operations[1] { XCTAssertEqual(h, "After: 2") } else { XCTFail() }

        // Response rules; the second Else of a response rule uses the request tables (Pound quirk).
        let response = rw.response[0]
        XCTAssertEqual(response.operations.count, 2)
        if case .match(let m) = response.condition.conditions.first {
            XCTAssertEqual(m.subject, .header("Content-Type"))
        } else { XCTFail() }
        if case .match(let m) = response.otherwise?.condition.conditions.first {
            XCTAssertEqual(m.subject, .string("%[header X]"))
        } else { XCTFail() }
        if case .match(let m) = response.otherwise?.otherwise?.condition.conditions.first {
            XCTAssertEqual(m.subject, .url)
        } else { XCTFail() }
    }

    func testDeleteHeaderHonoursDefaults() {
        let config = loadChecked("IgnoreCase 1\nRegexType pcre\n" + service("\tDeleteHeader \"X-(?:a|b)\"\n"), succeeds: true,
                                 ["pound.cfg:1.1-10: warning: deprecated statement, use the -icase matching directive flag to request case-insensitive comparison"])
        if case .deleteHeader(let p)? = config?.services.first?.rewrite.request.first?.operations.first {
            XCTAssertEqual(p.kind, .pcre)
            XCTAssertTrue(p.options.contains(.caseInsensitive))
            XCTAssertTrue(p.matches("x-A: 1"))
        } else { XCTFail() }
    }

    func testListenerOnlyDeprecatedSpellings() {
        // HeaderAdd/AddHeader/HeaderRemove/HeadRemove exist only in listeners.
        let listener = StatementTable(RewriteRules.statements(listener: true))
        let svc = StatementTable(RewriteRules.statements(listener: false))
        for name in ["HeaderAdd", "AddHeader", "HeaderRemove", "HeadRemove"] {
            XCTAssertNotNil(listener.lookup(name), name)
            XCTAssertNil(svc.lookup(name), name)
        }
        XCTAssertEqual(listener.lookup("AddHeader")?.deprecation, "use \"SetHeader\" instead")
        XCTAssertEqual(listener.lookup("HeaderAdd")?.deprecation, "use \"SetHeader\" instead")
        XCTAssertEqual(listener.lookup("HeaderRemove")?.deprecation, "use \"DeleteHeader\" instead")
        XCTAssertEqual(listener.lookup("HeadRemove")?.deprecation, "use \"DeleteHeader\" instead")
        loadChecked(service("\tAddHeader \"X: y\"\n"), succeeds: false, ["pound.cfg:2.9-17: unrecognized keyword"])
    }

    // MARK: - Rejected configurations (messages verified with Pound 4.23)

    func testRewriteKeyword() {
        loadChecked(service("\tRewrite foo\n\tEnd\n"), succeeds: false,
                    ["pound.cfg:2.17-19: expected response, request, or newline, but found identifier"])
    }

    func testResponseRulesRejectRequestOnlyStatements() {
        loadChecked(service("\tRewrite response\n\t\tURL \"x\"\n\tEnd\n"), succeeds: false, ["pound.cfg:3.17-19: unrecognized keyword"])
        loadChecked(service("\tRewrite response\n\t\tSetURL \"x\"\n\tEnd\n"), succeeds: false, ["pound.cfg:3.17-22: unrecognized keyword"])
        loadChecked(service("\tRewrite response\n\t\tSetHeader \"a: b\"\n\tElse\n\t\tURL \"x\"\n\tEnd\n"), succeeds: false,
                    ["pound.cfg:5.17-19: unrecognized keyword"])
    }

    func testSetQueryParamValue() {
        loadChecked(service("\tSetQueryParam \"a\" 12\n"), succeeds: false, ["pound.cfg:2.27-28: expected string, but found number"])
        loadChecked(service("\tSetQueryParam \"a\" -encode\n\tSetQueryParam -encode -encode \"a\" \"b\"\n"), succeeds: false,
                    ["pound.cfg:3.31-37: expected quoted string, but found literal"])
        loadChecked(service("\tSetPath -encode -encode \"x\"\n"), succeeds: false,
                    ["pound.cfg:2.25-31: expected quoted string, but found literal"])
    }

    func testLuaModifyArguments() {
        loadChecked(service("\tLuaModify \"a\" 12\n"), succeeds: false, ["pound.cfg:2.23-24: expected string or newline, but found number"])
    }

    func testDeleteHeaderPattern() {
        loadChecked(service("\tDeleteHeader \"x(\"\n"), succeeds: false, ["pound.cfg:2.22-25: Unmatched ( or \\("])
        loadChecked(service("\tDeleteHeader -file \"x\" \"y\"\n"), succeeds: false, ["pound.cfg:2.28-30: unsupported option: -file"])
        loadChecked(service("\tDeleteHeader -tag \"x\" \"y\"\n"), succeeds: false, ["pound.cfg:2.27-29: unsupported option: -tag"])
        loadChecked(service("\tDeleteHeader -decode \"x\"\n"), succeeds: false, ["pound.cfg:2.22-28: unsupported option: -decode"])
    }

    func testElseStructure() {
        loadChecked(service("\tRewrite\n\tElse\n"), succeeds: false, ["pound.cfg:1.7: unexpected end of file"])
        loadChecked(service("\tElse\n"), succeeds: false, ["pound.cfg:2.9-12: unrecognized keyword"])
        loadChecked(service("\tRewrite\n\t\tSetHeader \"a: b\"\n\tElse\n\t\tSetHeader \"a: c\"\n\tEnd x\n"), succeeds: false,
                    ["pound.cfg:6.13: unexpected identifier"])
    }
}
