import Digests
import Testing
@testable import Routing

/// Hash vectors: `openssl passwd -1/-apr1/-5/-6 -salt saltsalt secret`, Python's
/// hashlib for SHA-1/MD5, crypt(3) for DES/bcrypt (the bcrypt "U*U" vector is the
/// classic one from the crypt_blowfish test suite).
@Suite struct PasswordTests {
    func hex(_ b: [UInt8]) -> String { b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    @Test func sha1Vectors() {
        #expect(hex(SHA1.hash([UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(SHA1.hash([UInt8](repeating: 0x61, count: 1000))) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }

    @Test func md5Vectors() {
        #expect(hex(MD5.hash([UInt8]())) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(hex(MD5.hash(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(hex(MD5.hash([UInt8](repeating: 0x61, count: 1000))) == "cabe45dcc9ae5b66ba86600cca6b8ba8")
    }

    @Test func apr1() {
        let pw = Array("secret".utf8)
        #expect(String(decoding: APR1.hash(password: pw, setting: Array("$apr1$saltsalt$".utf8)), as: UTF8.self)
                == "$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0")
        #expect(String(decoding: APR1.hash(password: pw, setting: Array("$apr1$ab$x".utf8)), as: UTF8.self)
                == "$apr1$ab$jiiV6N7hIIuIoJbc1hxOE/")
    }

    @Test(arguments: [
        ("$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0", true),
        ("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", true),
        ("$1$saltsalt$9xy1btjgzLYfb7hivXtC//", true),
        ("$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA", true),
        ("$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1", true),
        ("$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", true),
        ("abNANd1rDfiNc", true), // DES
        ("secret", true), // plain text
        ("$apr1$saltsalt$LrttParrLPdxvgutaSXWJ1", false),
        ("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ", false),
        ("$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO2", false),
        ("Secret", false),
        ("", false),
        // A "$apr1$"/"{SHA}" hash is never tried as plain text.
        ("$apr1$", false),
    ])
    func verify(hash: String, accepted: Bool) {
        #expect(PasswordFile.matches(password: Array("secret".utf8), hash: Array(hash.utf8)) == accepted)
    }

    @Test func bcryptPublishedVector() {
        #expect(PasswordFile.matches(password: Array("U*U".utf8),
                                     hash: Array("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW".utf8)))
    }

    @Test func plainPasswordsEqualToAPrefixAreNotTakenForHashes() {
        // "{SHA}" alone is no SHA entry (it must be longer than the prefix): plain text.
        #expect(PasswordFile.matches(password: Array("{SHA}".utf8), hash: Array("{SHA}".utf8)))
    }

    @Test func firstEntryOfAUserDecides() {
        let file = PasswordFile(.init(file: .init(name: "f", path: "/f", watch: false),
                                      users: [("u", "one"), ("u", "two")]))
        #expect(file.verify(user: Array("u".utf8), password: Array("one".utf8)))
        #expect(!file.verify(user: Array("u".utf8), password: Array("two".utf8)))
        #expect(!file.verify(user: Array("x".utf8), password: Array("one".utf8)))
    }

    @Test func base64AsPoundDecodesIt() {
        #expect(Base64.decode(Array("Y2Fy b2w6cGFzczE=".utf8)).map { String(decoding: $0, as: UTF8.self) } == "carol:pass1")
        #expect(Base64.decode(Array("Y2Fyb2w6cGFzczE".utf8)) == nil)       // unpadded
        #expect(Base64.decode(Array("Y2Fyb2w6cGFzczE===".utf8)) == nil)
        #expect(Base64.decode(Array("Y2Fyb2w6cGFzczE=YQ==".utf8)) == nil)  // data after padding
        #expect(Base64.decode(Array("Y2Fyb2w6cGFzczE!".utf8)) == nil)
        #expect(Base64.decode(Array("".utf8)) == nil)
        var out: [UInt8] = []
        Base64.encode(Array("any carnal pleas".utf8), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "YW55IGNhcm5hbCBwbGVhcw==")
    }

    @Test func basicCredentialParsing() {
        #expect(BasicCredentials.parse(authorization: "Basic YWxpY2U6c2VjcmV0")
                == .credentials(.init(user: Array("alice".utf8), password: Array("secret".utf8))))
        #expect(BasicCredentials.parse(authorization: "Digest abc") == .none)
        #expect(BasicCredentials.parse(authorization: "Basic YWxpY2U=") == .invalid)
        #expect(request("GET", "/", headers: [("Authorization", "Basic ZGF2ZTpVKlU=")]).user == "dave")
        #expect(request("GET", "/").user == nil)
    }
}
