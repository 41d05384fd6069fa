import HTTPWire
import PounceModuleAPI
import Testing
@testable import Routing

/// Routing by client-side backend tags (API version 2's `ClientAffinityModule`), with a
/// test module: the request's `X-Tag` header names the backend and is taken out; the
/// response gets `X-Served-By` with the backend's tag, and `X-Moved` when the request named
/// another (or none).
@Suite struct ClientAffinityTests {
    final class HeaderTag: ClientAffinityModule {
        func backendTag(of request: some ModuleRequest, edits: inout HeaderEdits) -> String? {
            guard let tag = request.header("X-Tag") else { return nil }
            edits.set("X-Tag", nil)
            return tag
        }

        func respond(to response: some ModuleResponse, from backendTag: String, requestedTag: String?,
                     request: some ModuleRequest, edits: inout HeaderEdits) {
            edits.append("X-Served-By", backendTag)
            if requestedTag != backendTag { edits.append("X-Moved", requestedTag ?? "-") }
        }
    }

    /// A module that tries to split the response.
    final class Smuggler: ClientAffinityModule {
        func backendTag(of request: some ModuleRequest, edits: inout HeaderEdits) -> String? {
            edits.append("X-Evil", "a\r\nInjected: yes")
            edits.append("Bad Name", "x")
            return nil
        }

        func respond(to response: some ModuleResponse, from backendTag: String, requestedTag: String?,
                     request: some ModuleRequest, edits: inout HeaderEdits) {}
    }

    private func service(_ type: String = "HeaderTag", secret: String? = nil) throws -> RuntimeService {
        var text = "ListenHTTP\n  Service \"s\"\n    Session\n      Type \"\(type)\"\n"
        if let secret { text += "      Secret \"\(secret)\"\n" }
        text += "    End\n"
        text += "    Backend\n      Address 127.0.0.1\n      Port 9000\n      CookieValue \"a\"\n    End\n"
        text += "    Backend\n      Address 127.0.0.1\n      Port 9001\n    End\n"
        text += "    Backend\n      Address 127.0.0.1\n      Port 9002\n    End\n"
        text += "  End\nEnd\n"
        let modules = RoutingOptions.builtinModules()
        modules.registerSession("HeaderTag") { _ in HeaderTag() }
        modules.registerSession("Smuggler") { _ in Smuggler() }
        return try routing(text, options: RoutingOptions(modules: modules)).listeners[0].services[0]
    }

    private func choose(_ s: RuntimeService, tag: String?) -> (BackendState?, String?, HTTPRequestHead) {
        var head = request("GET", "/", headers: tag.map { [("X-Tag", $0), ("Accept", "*/*")] } ?? []).head
        let client = request("GET", "/").client
        let choice = s.chooseBackend(affinity: &head, client: client)
        return (choice.backend, choice.requestedTag, head)
    }

    @Test func aTagNamesItsBackendAndIsTakenOut() throws {
        let s = try service()
        #expect(s.usesClientAffinity)
        #expect(s.sessions == nil)
        let tags = s.backends.map { s.affinityTag(of: $0) }
        #expect(tags[0] == "a")
        let hashed = try #require(tags[1])
        #expect(hashed.count == 16 && hashed.allSatisfy(\.isHexDigit) && hashed != tags[2])
        for _ in 0..<5 {
            let (backend, requested, head) = choose(s, tag: hashed)
            #expect(backend === s.backends[1])
            #expect(requested == hashed)
            #expect(head.headers.first("X-Tag") == nil)
            #expect(head.headers.first("Accept") == "*/*")
        }
        #expect(choose(s, tag: "a").0 === s.backends[0])
    }

    @Test func theTagHidesTheAddressAndFollowsTheSecret() throws {
        let plain = try service()
        let keyed = try service(secret: "s3cret")
        let again = try service(secret: "s3cret")
        #expect(plain.affinityTag(of: plain.backends[1]) != keyed.affinityTag(of: keyed.backends[1]))
        // The same configuration gives the same tags: another node, a reload, a restart.
        #expect(keyed.backends.map { keyed.affinityTag(of: $0) } == again.backends.map { again.affinityTag(of: $0) })
        #expect(!(plain.affinityTag(of: plain.backends[1]) ?? "").contains("9001"))
    }

    @Test func aDeadOrUnknownTagGoesToTheBalancerAndTheResponseSaysSo() throws {
        let s = try service()
        let tag = try #require(s.affinityTag(of: s.backends[2]))
        s.backendFailed(s.backends[2])
        let (backend, requested, _) = choose(s, tag: tag)
        let chosen = try #require(backend)
        #expect(chosen !== s.backends[2])
        #expect(requested == tag)
        var response = HTTPResponseHead(version: .http1_1, status: 200, reason: "OK", headers: [:])
        s.applyAffinity(to: &response, requestHead: HTTPRequestHead(method: "GET", uri: "/", version: .http1_1, headers: [:]),
                        client: request("GET", "/").client, backend: chosen, requestedTag: requested)
        #expect(response.headers.first("X-Served-By") == s.affinityTag(of: chosen))
        #expect(response.headers.first("X-Moved") == tag)
        let (unknown, unknownTag, _) = choose(s, tag: "nobody")
        #expect(unknown != nil && unknownTag == "nobody")
    }

    @Test func aModuleCannotSplitAMessage() throws {
        let s = try service("Smuggler")
        let (_, _, head) = choose(s, tag: nil)
        #expect(head.headers.first("X-Evil") == nil)
        #expect(head.headers.first("Bad Name") == nil)
    }

    @Test func editsReplaceInPlaceAndRemove() {
        var headers: HTTPHeaders = ["A": "1", "Set-Cookie": "x=1", "B": "2", "set-cookie": "y=2"]
        var edits = HeaderEdits()
        edits.replace("Set-Cookie", with: ["x=T~1", "y=2"])
        edits.append("C", "3")
        headers.apply(edits)
        #expect(headers.fields.map(\.value) == ["1", "x=T~1", "y=2", "2", "3"])
        var removal = HeaderEdits()
        removal.set("set-cookie", nil)
        headers.apply(removal)
        #expect(headers.fields.map(\.value) == ["1", "2", "3"])
    }

    @Test func anAffinityTypeRefusesTTL() throws {
        let text = "ListenHTTP\n  Service \"s\"\n    Session\n      Type \"HeaderTag\"\n      TTL 300\n    End\n"
            + "    Backend\n      Address 127.0.0.1\n      Port 9000\n    End\n  End\nEnd\n"
        let modules = RoutingOptions.builtinModules()
        modules.registerSession("HeaderTag") { _ in HeaderTag() }
        do {
            _ = try routing(text, options: RoutingOptions(modules: modules))
            Issue.record("TTL was accepted")
        } catch {
            #expect("\(error)".hasSuffix("session type \"HeaderTag\": TTL: this session type keeps no sessions"), "\(error)")
        }
    }

    @Test func aTableTypeNeedsItsTTL() throws {
        let text = "ListenHTTP\n  Service \"s\"\n    Session\n      Type \"ip\"\n    End\n"
            + "    Backend\n      Address 127.0.0.1\n      Port 9000\n    End\n  End\nEnd\n"
        #expect(throws: RoutingBuildError.self) { try routing(text) }
        do {
            _ = try routing(text)
        } catch {
            #expect("\(error)".hasSuffix("session type \"ip\": Session TTL not defined"), "\(error)")
        }
    }

    @Test func aTableTypeRefusesCookieStatements() throws {
        let text = "ListenHTTP\n  Service \"s\"\n    Session\n      Type \"ip\"\n      TTL 300\n      Path \"/\"\n    End\n"
            + "    Backend\n      Address 127.0.0.1\n      Port 9000\n    End\n  End\nEnd\n"
        #expect(throws: RoutingBuildError.self) { try routing(text) }
    }
}
