import Digests
import Testing
@testable import VRRP

private let lb1 = IPv4Address(10, 213, 0, 11)

@Suite struct AuthenticationHeaderTests {
    @Test func md5KnownAnswers() {
        // RFC 1321 appendix A.5 and RFC 2104's first HMAC-MD5 test case.
        #expect(hexString(MD5.hash([])) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(hexString(MD5.hash(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(hexString(MD5.hash(Array(String(repeating: "1234567890", count: 8).utf8)))
            == "57edf4a22be3c955ac49da2e2107b67a")
        #expect(hexString(MD5.hmac(key: [UInt8](repeating: 0x0b, count: 16), message: Array("Hi There".utf8)))
            == "9294727a3638bb1c13f48ef8158bfc9d")
    }

    // The first AH advert of the rig's keepalived-v2-auth-ah capture (auth_pass "rigpass1").
    static let capturedAH = hexBytes(
        "45c0004000010000ff33cfd70ad5000be0000012700400000ad5000b000000017bacee93eb2ee3b544882ab4"
            + "2133670102016a920ad500630000000000000000")

    @Test func keepalivedICVMatchesCapture() throws {
        let icv = VRRPAuthenticationHeader.keepalivedICV(
            packet: Self.capturedAH, password: Array("rigpass1".utf8), zeroTimeToLive: false)
        #expect(hexString(icv) == "7bacee93eb2ee3b544882ab4")
        let wrong = VRRPAuthenticationHeader.keepalivedICV(
            packet: Self.capturedAH, password: Array("rigpass2".utf8), zeroTimeToLive: false)
        #expect(wrong != icv)
    }

    @Test func encodesWholePacketsByteExact() throws {
        let ah = Self.capturedAH
        let message = Array(ah[44...])
        let rebuilt = VRRPDatagram.encode(
            vrrp: message, source: lb1, destination: .vrrpMulticast, identification: 1,
            authentication: .init(spi: lb1.value, sequence: 1, password: Array("rigpass1".utf8)))
        #expect(rebuilt == ah)

        let v3 = VRRPPacket(version: .v3, virtualRouterID: 51, priority: 103, advertInterval: 100,
                            addresses: [IPv4Address(10, 213, 0, 99)])
        let plain = VRRPDatagram.encode(
            vrrp: v3.encode(source: lb1, destination: .vrrpMulticast), source: lb1,
            destination: .vrrpMulticast, identification: 1)
        #expect(plain == hexBytes("45c0 0020 0001 0000 ff 70 cfba 0ad5000b e0000012 3133670100 6470c0 0ad50063"))
    }
}
