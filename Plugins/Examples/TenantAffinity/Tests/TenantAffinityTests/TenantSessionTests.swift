import PounceModuleAPI
import Testing
@testable import TenantAffinity

struct Request: ModuleRequest {
    var method = "GET"
    var uri = "/"
    var clientAddress = "127.0.0.1"
    var headers: [String: String] = [:]

    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}

/// A JWT whose payload is `json` (header and signature are not looked at).
func token(_ json: String) -> String {
    let base64 = Array(json.utf8).base64URL
    return "eyJhbGciOiJIUzI1NiJ9.\(base64).c2lnbmF0dXJl"
}

extension Array where Element == UInt8 {
    var base64URL: String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < count {
            let chunk = self[i..<Swift.min(i + 3, count)]
            let n = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for j in 0..<(chunk.count + 1) { out.append(alphabet[Int(n >> (18 - 6 * UInt32(j)) & 63)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

struct TenantSessionTests {
    let session = TenantSession(SessionSettings(type: "tenant", id: nil, ttl: 300))

    @Test func headerNamesTheTenant() {
        #expect(session.key(for: Request(headers: ["x-tenant": "acme"])) == "acme")
        #expect(session.key(for: Request()) == nil)
    }

    @Test func idChoosesTheHeader() {
        let custom = TenantSession(SessionSettings(type: "tenant", id: "X-Org", ttl: 300))
        #expect(custom.key(for: Request(headers: ["X-Org": "o1", "X-Tenant": "t1"])) == "o1")
    }

    @Test func bearerTokenClaimWhenTheHeaderIsMissing() {
        let auth = "Bearer " + token(#"{"sub":"u1","tenant":"globex","exp":1}"#)
        #expect(session.key(for: Request(headers: ["Authorization": auth])) == "globex")
        #expect(session.key(for: Request(headers: ["Authorization": auth, "X-Tenant": "acme"])) == "acme")
        #expect(session.key(for: Request(headers: ["Authorization": "bearer  " + token(#"{"tenant":42}"#)])) == "42")
    }

    @Test func onlyTopLevelClaimsCount() {
        let nested = token(#"{"org":{"tenant":"inner"},"note":"\"tenant\":\"fake\"","tenant" : "outer\"s"}"#)
        #expect(BearerToken.claim("tenant", inAuthorization: "Bearer " + nested) == "outer\"s")
        #expect(BearerToken.claim("tenant", inAuthorization: "Bearer " + token(#"{"org":{"tenant":"inner"}}"#)) == nil)
        #expect(BearerToken.claim("tenant", inAuthorization: "Bearer " + token(#"{"tenant":{"id":1}}"#)) == nil)
    }

    @Test func malformedTokensHaveNoClaim() {
        #expect(BearerToken.claim("tenant", inAuthorization: "Basic dXNlcjpwYXNz") == nil)
        #expect(BearerToken.claim("tenant", inAuthorization: "Bearer abc.def") == nil)
        #expect(BearerToken.claim("tenant", inAuthorization: "Bearer a.!!!.c") == nil)
        #expect(BearerToken.claim("tenant", inAuthorization: "Bearer " + token(#"{"tenant":"unterminated}"#)) == nil)
    }

    @Test func base64URLWithAndWithoutPadding() {
        #expect(BearerToken.base64URLDecode(Array("aGk".utf8)[...]) == Array("hi".utf8))
        #expect(BearerToken.base64URLDecode(Array("aGk=".utf8)[...]) == Array("hi".utf8))
        #expect(BearerToken.base64URLDecode(Array("-_8".utf8)[...]) == [0xfb, 0xff])
    }
}
