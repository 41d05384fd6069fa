import Testing
import DNSResolution
import PoundConfig
import Routing
@testable import ProxyCore

/// What DNS answers mean for a matrix's backends (Pound's `dynbe.c`), decided from
/// the answers alone: no resolver, no network.
@Suite struct MatrixAnswerTests {
    private func address(_ host: String, _ port: Int, group: Int, priority: Int) -> DynamicBackendAddress {
        DynamicBackendAddress(host: host, port: port, groupWeight: group, priority: priority)
    }

    private func srv(_ priority: UInt16, _ weight: UInt16, _ port: UInt16, _ target: String) -> ServiceRecord {
        ServiceRecord(priority: priority, weight: weight, port: port, target: target)
    }

    private func a(_ hosts: String..., ttl: UInt32 = 300) -> [DNSAnswer] {
        [DNSAnswer(.addresses(hosts), ttl: ttl)]
    }

    /// The backends of a `.backends` answer, or nil for any other answer.
    private func backends(_ answer: MatrixAnswer) -> [DynamicBackendAddress]? {
        if case .backends(let list, _) = answer { return list }
        return nil
    }

    private func ttl(_ answer: MatrixAnswer) -> Int? {
        if case .backends(_, let ttl) = answer { return ttl }
        return nil
    }

    private func isKeep(_ answer: MatrixAnswer) -> Bool {
        if case .keep = answer { return true }
        return false
    }

    // MARK: Resolve first|all

    @Test func resolveAllMakesOneBackendPerAddressWithTheMatrixSettings() {
        let matrix = MatrixAnswer.Matrix(mode: .all, family: .inet, port: 8080, priority: 7, groupWeight: 65535)
        let answer = MatrixAnswer.addresses(
            [DNSAnswer(.addresses(["192.0.2.1", "192.0.2.2", "192.0.2.3"]), ttl: 120)], matrix: matrix)
        #expect(answer == .backends([
            address("192.0.2.1", 8080, group: 65535, priority: 7),
            address("192.0.2.2", 8080, group: 65535, priority: 7),
            address("192.0.2.3", 8080, group: 65535, priority: 7),
        ], ttl: 120))
    }

    @Test func resolveFirstTakesOnlyTheFirstAddress() {
        let matrix = MatrixAnswer.Matrix(mode: .first, family: .inet, port: 81, priority: 2)
        let answer = MatrixAnswer.addresses(a("192.0.2.9", "192.0.2.1", "192.0.2.5", ttl: 60), matrix: matrix)
        #expect(answer == .backends([address("192.0.2.9", 81, group: 0, priority: 2)], ttl: 60))
    }

    @Test func familyDecidesTheRecordTypesAskedFor() {
        #expect(MatrixAnswer.Matrix(mode: .all, family: .inet).addressTypes == [.a])
        #expect(MatrixAnswer.Matrix(mode: .all, family: .inet6).addressTypes == [.aaaa])
        #expect(MatrixAnswer.Matrix(mode: .all, family: .any).addressTypes == [.a, .aaaa])
    }

    @Test func familyAnyListsIPv4AddressesBeforeIPv6() {
        let matrix = MatrixAnswer.Matrix(mode: .all, family: .any, port: 80, priority: 5)
        let answers = [
            DNSAnswer(.addresses(["192.0.2.1", "192.0.2.2"]), ttl: 300),
            DNSAnswer(.addresses(["2001:db8::1"]), ttl: 40),
        ]
        let answer = MatrixAnswer.addresses(answers, matrix: matrix)
        #expect(backends(answer)?.map(\.host) == ["192.0.2.1", "192.0.2.2", "2001:db8::1"])
        // The smaller TTL of the two answers.
        #expect(ttl(answer) == 40)
        // `first` over both types: the first IPv4 address.
        var first = matrix
        first.mode = .first
        #expect(backends(MatrixAnswer.addresses(answers, matrix: first))?.map(\.host) == ["192.0.2.1"])
    }

    @Test func oneTypeNotFoundStillGivesTheOthersAddresses() {
        let matrix = MatrixAnswer.Matrix(mode: .all, family: .any)
        let answer = MatrixAnswer.addresses(
            [DNSAnswer(.notFound, ttl: 5), DNSAnswer(.addresses(["2001:db8::2"]), ttl: 90)], matrix: matrix)
        // A not-found answer brings no addresses and no TTL.
        #expect(answer == .backends([address("2001:db8::2", 80, group: 0, priority: 5)], ttl: 90))
    }

    @Test func notFoundForEveryTypeIsNotFound() {
        let matrix = MatrixAnswer.Matrix(mode: .all, family: .any)
        #expect(MatrixAnswer.addresses([DNSAnswer(.notFound), DNSAnswer(.notFound)], matrix: matrix) == .notFound)
        #expect(MatrixAnswer.addresses([DNSAnswer(.addresses([]), ttl: 30)], matrix: matrix) == .notFound)
    }

    @Test func aFailureOfEitherTypeKeepsTheBackends() {
        let matrix = MatrixAnswer.Matrix(mode: .all, family: .any)
        let found = DNSAnswer(.addresses(["192.0.2.1"]), ttl: 300)
        let cases: [[DNSAnswer]] = [
            [DNSAnswer(.temporaryFailure("timeout")), found],
            [found, DNSAnswer(.temporaryFailure("timeout"))],
            [DNSAnswer(.notFound), DNSAnswer(.temporaryFailure("refused"))],
            [found, DNSAnswer(.failure("bad name"))],
        ]
        for answers in cases {
            let answer = MatrixAnswer.addresses(answers, matrix: matrix)
            #expect(isKeep(answer), "\(answers) gave \(answer)")
        }
        #expect(MatrixAnswer.addresses([found, DNSAnswer(.temporaryFailure("timeout"))], matrix: matrix)
            == .keep(reason: "timeout"))
    }

    // MARK: Resolve srv

    @Test func srvRecordsAreSortedByPriorityThenHeavierWeightFirst() {
        let matrix = MatrixAnswer.Matrix(mode: .srv, family: .inet)
        let records = [
            srv(20, 5, 8001, "d.example"),
            srv(10, 1, 8002, "b.example"),
            srv(10, 9, 8003, "a.example"),
            srv(20, 50, 8004, "c.example"),
        ]
        let targets: [String: [DNSAnswer]] = [
            "a.example": a("192.0.2.1"), "b.example": a("192.0.2.2"),
            "c.example": a("192.0.2.3"), "d.example": a("192.0.2.4"),
        ]
        let answer = MatrixAnswer.services(DNSAnswer(.services(records), ttl: 300), targets: targets, matrix: matrix)
        #expect(backends(answer)?.map(\.host) == ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"])
    }

    @Test func srvPriorityIsTheGroupAndWeightThePriority() {
        // The matrix's own port, priority and group play no part.
        let matrix = MatrixAnswer.Matrix(mode: .srv, family: .inet, port: 80, priority: 5, groupWeight: 0)
        let records = [srv(10, 3, 8080, "a.example"), srv(20, 7, 9090, "b.example")]
        let targets = ["a.example": a("192.0.2.1", "192.0.2.11"), "b.example": a("192.0.2.2")]
        let answer = MatrixAnswer.services(DNSAnswer(.services(records), ttl: 300), targets: targets, matrix: matrix)
        #expect(answer == .backends([
            address("192.0.2.1", 8080, group: 10, priority: 3),
            address("192.0.2.11", 8080, group: 10, priority: 3),
            address("192.0.2.2", 9090, group: 20, priority: 7),
        ], ttl: 300))
    }

    @Test func zeroWeightsAreJudgedPerPriorityGroup() {
        let matrix = MatrixAnswer.Matrix(mode: .srv, family: .inet, priority: 5)
        let records = [
            // Group 10: every weight 0 → priority 1 for both.
            srv(10, 0, 8001, "a.example"),
            srv(10, 0, 8002, "b.example"),
            // Group 20: one weighs 4, so the other's 0 stays 0.
            srv(20, 0, 8003, "c.example"),
            srv(20, 4, 8004, "d.example"),
        ]
        let targets = [
            "a.example": a("192.0.2.1"), "b.example": a("192.0.2.2"),
            "c.example": a("192.0.2.3"), "d.example": a("192.0.2.4"),
        ]
        let answer = MatrixAnswer.services(DNSAnswer(.services(records), ttl: 300), targets: targets, matrix: matrix)
        #expect(answer == .backends([
            address("192.0.2.1", 8001, group: 10, priority: 1),
            address("192.0.2.2", 8002, group: 10, priority: 1),
            address("192.0.2.4", 8004, group: 20, priority: 4),
            address("192.0.2.3", 8003, group: 20, priority: 0),
        ], ttl: 300))
    }

    @Test func ignoreSRVWeightUsesTheMatrixPriority() {
        let matrix = MatrixAnswer.Matrix(mode: .srv, family: .inet, priority: 6, ignoreSRVWeight: true)
        let records = [srv(10, 0, 8001, "a.example"), srv(10, 9, 8002, "b.example"), srv(30, 2, 8003, "c.example")]
        let targets = ["a.example": a("192.0.2.1"), "b.example": a("192.0.2.2"), "c.example": a("192.0.2.3")]
        let answer = MatrixAnswer.services(DNSAnswer(.services(records), ttl: 300), targets: targets, matrix: matrix)
        #expect(answer == .backends([
            address("192.0.2.2", 8002, group: 10, priority: 6),
            address("192.0.2.1", 8001, group: 10, priority: 6),
            address("192.0.2.3", 8003, group: 30, priority: 6),
        ], ttl: 300))
    }

    @Test func aTargetThatDoesNotExistBringsNothing() {
        let matrix = MatrixAnswer.Matrix(mode: .srv, family: .any)
        let records = [srv(10, 1, 8001, "gone.example"), srv(10, 1, 8002, "b.example")]
        let targets: [String: [DNSAnswer]] = [
            "gone.example": [DNSAnswer(.notFound, ttl: 1), DNSAnswer(.notFound, ttl: 1)],
            "b.example": [DNSAnswer(.addresses(["192.0.2.2"]), ttl: 200), DNSAnswer(.notFound, ttl: 1)],
        ]
        let answer = MatrixAnswer.services(DNSAnswer(.services(records), ttl: 300), targets: targets, matrix: matrix)
        // Neither the missing target nor the not-found answers shorten the TTL.
        #expect(answer == .backends([address("192.0.2.2", 8002, group: 10, priority: 1)], ttl: 200))
        // A target with no answers at all counts as not found, too.
        let unasked = MatrixAnswer.services(DNSAnswer(.services(records), ttl: 300),
                                            targets: ["b.example": a("192.0.2.2")], matrix: matrix)
        #expect(backends(unasked)?.map(\.host) == ["192.0.2.2"])
    }

    @Test func everyTargetMissingGivesAnEmptySet() {
        let matrix = MatrixAnswer.Matrix(mode: .srv, family: .inet)
        let answer = MatrixAnswer.services(DNSAnswer(.services([srv(1, 1, 80, "x.example")]), ttl: 300),
                                           targets: ["x.example": [DNSAnswer(.notFound)]], matrix: matrix)
        #expect(backends(answer) == [])
    }

    @Test func aTargetWhoseLookupFailedKeepsTheWholeSet() {
        let matrix = MatrixAnswer.Matrix(mode: .srv, family: .any)
        let records = [srv(10, 1, 8001, "a.example"), srv(20, 1, 8002, "b.example")]
        let targets: [String: [DNSAnswer]] = [
            "a.example": a("192.0.2.1"),
            "b.example": [DNSAnswer(.addresses(["192.0.2.2"]), ttl: 9), DNSAnswer(.temporaryFailure("timeout"))],
        ]
        let answer = MatrixAnswer.services(DNSAnswer(.services(records), ttl: 300), targets: targets, matrix: matrix)
        #expect(isKeep(answer))
        if case .keep(let reason) = answer { #expect(reason.contains("b.example")) }
    }

    @Test func theSRVAnswerItselfDecidesFirst() {
        let matrix = MatrixAnswer.Matrix(mode: .srv, family: .inet)
        #expect(MatrixAnswer.services(DNSAnswer(.notFound), targets: [:], matrix: matrix) == .notFound)
        #expect(MatrixAnswer.services(DNSAnswer(.temporaryFailure("servfail")), targets: [:], matrix: matrix)
            == .keep(reason: "servfail"))
        #expect(isKeep(MatrixAnswer.services(DNSAnswer(.failure("shut down")), targets: [:], matrix: matrix)))
    }

    @Test func srvTTLIsTheSmallestOfTheSRVAndTargetTTLs() {
        let matrix = MatrixAnswer.Matrix(mode: .srv, family: .any)
        let records = [srv(10, 1, 8001, "a.example"), srv(10, 1, 8002, "b.example")]
        let targets: [String: [DNSAnswer]] = [
            "a.example": [DNSAnswer(.addresses(["192.0.2.1"]), ttl: 250), DNSAnswer(.addresses(["2001:db8::1"]), ttl: 70)],
            "b.example": a("192.0.2.2", ttl: 500),
        ]
        #expect(ttl(MatrixAnswer.services(DNSAnswer(.services(records), ttl: 300), targets: targets,
                                          matrix: matrix)) == 70)
        // The SRV record's TTL when it is the smallest.
        #expect(ttl(MatrixAnswer.services(DNSAnswer(.services(records), ttl: 30), targets: targets,
                                          matrix: matrix)) == 30)
    }

    // MARK: When to look again

    @Test func delayPrefersOverrideTTLThenTheAnswersTTL() {
        let list = [address("192.0.2.1", 80, group: 0, priority: 5)]
        #expect(MatrixAnswer.backends(list, ttl: 300).delay(overrideTTL: 15, retryInterval: 60) == 15)
        #expect(MatrixAnswer.backends(list, ttl: 300).delay(overrideTTL: nil, retryInterval: 60) == 300)
        // Never sooner than a second.
        #expect(MatrixAnswer.backends(list, ttl: 0).delay(overrideTTL: nil, retryInterval: 60) == 1)
        #expect(MatrixAnswer.backends(list, ttl: 300).delay(overrideTTL: 0, retryInterval: 60) == 1)
    }

    @Test func delayIsTheRetryIntervalWithoutBackends() {
        #expect(MatrixAnswer.backends([], ttl: 300).delay(overrideTTL: 15, retryInterval: 60) == 60)
        #expect(MatrixAnswer.notFound.delay(overrideTTL: 15, retryInterval: 45) == 45)
        #expect(MatrixAnswer.keep(reason: "timeout").delay(overrideTTL: nil, retryInterval: 7) == 7)
        #expect(MatrixAnswer.notFound.delay(overrideTTL: nil, retryInterval: 0) == 1)
    }

    // MARK: The matrix's settings from its configuration

    @Test func matrixSettingsComeFromTheServer() {
        var server = Backend.Server(timeout: 15, webSocketTimeout: 600, connectTimeout: 15)
        server.host = "backend.example"
        server.port = 8443
        server.family = .inet6
        server.resolveMode = .srv
        server.ignoreSRVWeight = true
        let matrix = MatrixAnswer.Matrix(server, priority: 3, groupWeight: 65535)
        #expect(matrix == MatrixAnswer.Matrix(mode: .srv, family: .inet6, port: 8443, priority: 3,
                                              groupWeight: 65535, ignoreSRVWeight: true))
        // Without `Port`: 80, or 443 for an HTTPS backend.
        server.port = 0
        #expect(MatrixAnswer.Matrix(server, priority: 1, groupWeight: 0).port == 80)
    }

    // MARK: What `Resolver` `Debug` logs

    @Test func descriptionsAreReadable() {
        let two = MatrixAnswer.backends([address("192.0.2.1", 80, group: 0, priority: 5),
                                         address("192.0.2.2", 8080, group: 10, priority: 1)], ttl: 30)
        #expect(two.description
                == "2 backends (192.0.2.1:80 group 0 priority 5, 192.0.2.2:8080 group 10 priority 1), TTL 30")
        #expect(MatrixAnswer.notFound.description == "not found")
        #expect(MatrixAnswer.keep(reason: "Timeout").description == "no answer (Timeout), backends kept")
    }
}
