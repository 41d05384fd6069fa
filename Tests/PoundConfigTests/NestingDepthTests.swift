import XCTest
@testable import PoundConfig

/// Sections, conditions and rewrite blocks nest at most `ConfigParser.nestingLimit`
/// levels deep, counting every enclosing section; beyond it the parser refuses with
/// `nesting too deep` at the keyword that opens the level too many. Pound 4.23 has no
/// limit; without one, 10,000 levels overflowed the stack (SIGSEGV).
final class NestingDepthTests: XCTestCase {
    private let limit = ConfigParser.nestingLimit

    /// A global service with one backend around `body`; its first line is line 2 of the
    /// file, and the service itself is one level, so its conditions start at level 2.
    private func service(_ body: String) -> String {
        "Service\n" + body + "Backend\nAddress 127.0.0.1\nPort 9000\nEnd\nEnd\n"
    }

    /// `n` nested `Match AND` blocks around one URL condition, one statement a line.
    private func matches(_ n: Int, around condition: String = "URL \"x\"") -> String {
        String(repeating: "Match AND\n", count: n) + condition + "\n" + String(repeating: "End\n", count: n)
    }

    private func assertTooDeep(_ text: String, at location: String, file: StaticString = #filePath, line: UInt = #line) {
        assertRejects(text, ["\(location): nesting too deep"], file: file, line: line)
    }

    /// How deeply the first service condition nests (`Match` groups and `Not`s).
    private func depth(_ condition: Condition?) -> Int {
        var depth = 0
        var next = condition
        while let c = next {
            depth += 1
            switch c {
            case .group(let g): next = g.conditions.first
            case .not(let inner): next = inner
            default: next = nil
            }
        }
        return depth
    }

    // MARK: - Match

    func testMatchBlocksUpToTheLimitAreAccepted() {
        let config = assertAccepts(service(matches(limit - 1)))
        XCTAssertEqual(depth(config?.services.first?.condition.conditions.first), limit)
    }

    func testOneMatchBlockTooManyIsRefusedAtItsKeyword() {
        // Service is line 1; the limit-th Match is the first one too many.
        assertTooDeep(service(matches(limit)), at: "pound.cfg:\(limit + 1).1-5")
    }

    func testTenThousandMatchBlocksAreRefusedNotACrash() {
        assertTooDeep(service(matches(10_000)), at: "pound.cfg:\(limit + 1).1-5")
    }

    func testListenerServicesCountTheirListener() {
        let head = "ListenHTTP\nAddress 127.0.0.1\nPort 8080\n"
        assertAccepts(head + service(matches(limit - 2)) + "End\n")
        // ListenHTTP is line 1, Service line 4: the (limit - 1)-th Match is line limit + 3.
        assertTooDeep(head + service(matches(limit - 1)) + "End\n", at: "pound.cfg:\(limit + 3).1-5")
    }

    // MARK: - Not

    func testNotChainsUpToTheLimitAreAccepted() {
        let config = assertAccepts(service(String(repeating: "Not ", count: limit - 1) + "URL \"x\"\n"))
        XCTAssertEqual(depth(config?.services.first?.condition.conditions.first), limit)
    }

    func testTenThousandNotsAreRefusedAtTheFirstNotTooMany() {
        // The k-th "Not " of the line starts at column 4k - 3.
        let k = limit
        assertTooDeep(service(String(repeating: "Not ", count: 10_000) + "URL \"x\"\n"),
                      at: "pound.cfg:2.\(4 * k - 3)-\(4 * k - 1)")
    }

    func testNotMatchPairsCountTwoLevelsEach() {
        let pairs = (limit - 1) / 2
        func notMatches(_ n: Int) -> String {
            String(repeating: "Not Match\n", count: n) + "URL \"x\"\n" + String(repeating: "End\n", count: n)
        }
        assertAccepts(service(notMatches(pairs)))
        // With limit 256: 127 pairs fill levels 2...255, the 128th Not is 256 and its
        // Match the level too many.
        XCTAssertEqual(limit % 2, 0, "the expected location below assumes an even limit")
        assertTooDeep(service(notMatches(10_000)), at: "pound.cfg:\(pairs + 2).5-9")
    }

    // MARK: - Rewrite and Else

    /// `n` nested Rewrite blocks (a nested block takes no `request`/`response`).
    private func rewrites(_ n: Int, response: Bool = false) -> String {
        (response ? "Rewrite response\n" : "Rewrite\n") + String(repeating: "Rewrite\n", count: n - 1)
            + "SetHeader \"X-Deep: 1\"\n" + String(repeating: "End\n", count: n)
    }

    func testRewriteBlocksUpToTheLimitAreAccepted() {
        let config = assertAccepts(service(rewrites(limit - 1)))
        var depth = 0
        var rule = config?.services.first?.rewrite.request.first
        while let r = rule {
            depth += 1
            if case .rule(let inner)? = r.operations.first { rule = inner } else { rule = nil }
        }
        XCTAssertEqual(depth, limit - 1)
    }

    func testTenThousandRewriteBlocksAreRefused() {
        assertTooDeep(service(rewrites(10_000)), at: "pound.cfg:\(limit + 1).1-7")
    }

    func testResponseRewritesAndTheirConditionsShareTheLimit() {
        // "Rewrite response" at level 2, then Match blocks of response conditions.
        let header = "Header \"X-A\" \"b\""
        let body = "Rewrite response\n" + matches(limit - 2, around: header) + "SetHeader \"X: y\"\nEnd\n"
        assertAccepts(service(body))
        let deeper = "Rewrite response\n" + matches(10_000, around: header) + "SetHeader \"X: y\"\nEnd\n"
        assertTooDeep(service(deeper), at: "pound.cfg:\(limit + 1).1-5")
        assertTooDeep(service(rewrites(10_000, response: true)), at: "pound.cfg:\(limit + 1).1-7")
    }

    func testElseChainsCountOneLevelPerElse() {
        func chain(_ n: Int) -> String {
            "Rewrite\nURL \"a\"\n" + String(repeating: "Else\nURL \"b\"\n", count: n) + "SetHeader \"X: y\"\nEnd\n"
        }
        // Rewrite is level 2, so limit - 2 Else branches fit.
        assertAccepts(service(chain(limit - 2)))
        // Line 2 Rewrite, line 3 URL, then Else on lines 4, 6, ...: the (limit - 1)-th.
        assertTooDeep(service(chain(10_000)), at: "pound.cfg:\(2 * (limit - 1) + 2).1-4")
    }

    // MARK: - Named conditions and Eval

    func testNamedConditionBodiesShareTheLimit() {
        func named(_ n: Int) -> String { "Condition \"deep\"\n" + matches(n) + "End\n" }
        // The Condition body is level 1; used in a service (level 1), one level less.
        assertAccepts(named(limit - 1))
        assertAccepts(named(limit - 2) + service("Eval \"deep\"\n"))
        assertTooDeep(named(10_000), at: "pound.cfg:\(limit + 1).1-5")
    }

    /// Named conditions `c0`...`c(n-1)`, each evaluating the one before: evaluating
    /// `c(n-1)` recurses `n` times although no section nests.
    private func evalChain(_ n: Int) -> String {
        var s = "Condition \"c0\"\nURL \"x\"\nEnd\n"
        for i in 1..<n { s += "Condition \"c\(i)\"\nEval \"c\(i - 1)\"\nEnd\n" }
        return s
    }

    func testEvalChainsUpToTheLimitAreAccepted() {
        // c0 is one level deep, c(i) one more than c(i-1).
        let config = assertAccepts(evalChain(limit))
        XCTAssertEqual(config?.namedConditions.count, limit)
        // Used in a service (level 1), the deepest usable is one level shallower.
        assertAccepts(evalChain(limit - 1) + service("Eval \"c\(limit - 2)\"\n"))
    }

    func testEvalChainsBeyondTheLimitAreRefusedAtTheEval() {
        // c(limit) would be limit + 1 levels deep; its Eval is on line 3 * limit + 2.
        assertTooDeep(evalChain(10_000), at: "pound.cfg:\(3 * limit + 2).1-4")
        // A service (level 1) cannot use c(limit - 1), which is `limit` deep.
        let text = evalChain(limit) + service("Eval \"c\(limit - 1)\"\n")
        assertTooDeep(text, at: "pound.cfg:\(3 * limit + 2).1-4")
    }

    func testEvalInsideNestedBlocksAddsTheNamedConditionsDepth() {
        // c9 is 10 levels deep; an Eval in m Match blocks of a service is at level
        // 1 + m, so it reaches 11 + m.
        func text(_ m: Int) -> String {
            evalChain(10) + service(String(repeating: "Match\n", count: m) + "Eval \"c9\"\n"
                                    + String(repeating: "End\n", count: m))
        }
        assertAccepts(text(limit - 11))
        // 30 lines of conditions, the Service, m Match lines, then the Eval.
        assertTooDeep(text(limit - 10), at: "pound.cfg:\(30 + 1 + (limit - 10) + 1).1-4")
    }

    func testAConditionEvaluatingItselfAddsNothing() {
        // Registered before its body, as in Pound; at run time the inner Eval fails.
        assertAccepts("Condition \"self\" OR\nURL \"x\"\nEval \"self\"\nEnd\n" + service("Eval \"self\"\n"))
    }

    // MARK: - Include

    func testIncludedFilesNestInTheSameCount() {
        let fixture = ConfigFixture()
        // Each file opens one Match and includes the next inside it.
        let n = 1_000
        for i in 0..<n {
            let body = i + 1 < n ? "Include \"m\(i + 1).cfg\"\n" : "URL \"x\"\n"
            fixture.write("m\(i).cfg", "Match\n" + body + "End\n")
        }
        fixture.write("pound.cfg", service("Include \"m0.cfg\"\n"))
        let outcome = fixture.load()
        XCTAssertFalse(outcome.succeeded)
        // Service is level 1, so m(limit - 1).cfg opens the level too many.
        XCTAssertEqual(outcome.messages, ["m\(limit - 1).cfg:1.1-5: nesting too deep"])
    }

    func testLongIncludeChainsAreReadWithoutRecursion() {
        let fixture = ConfigFixture()
        let n = 2_000
        for i in 0..<n {
            fixture.write("i\(i).cfg", i + 1 < n ? "Include \"i\(i + 1).cfg\"\n" : "Daemon 0\n")
        }
        fixture.write("pound.cfg", "Include \"i0.cfg\"\n")
        let outcome = fixture.load()
        XCTAssertTrue(outcome.succeeded, "\(outcome.messages)")
        XCTAssertEqual(outcome.config?.daemon, false)
    }
}
