import COpenSSL
import OpenSSLTLS
import Foundation

/// An EC P-256 private key through the system OpenSSL: the ACME account key (JWS ES256,
/// RFC 7518 §3.4) and the certificates' keys. Nothing here is hand-written crypto:
/// generation, PEM, digests and signatures are OpenSSL's.
public final class ECKey: @unchecked Sendable {
    /// Owned; freed with the key. Immutable after init, so sharing across threads is safe.
    let pkey: OpaquePointer

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private init(pkey: OpaquePointer) { self.pkey = pkey }

    deinit { EVP_PKEY_free(pkey) }

    /// A new random key.
    public static func generate() throws(Failure) -> ECKey {
        guard let pkey = pounce_generate_p256_key() else { throw Failure(description: "EC key generation failed") }
        return ECKey(pkey: pkey)
    }

    /// A key from PKCS#8 or SEC1 PEM text; it must be P-256.
    public init(pem: String) throws(Failure) {
        let bio = MemoryBIO.copying(pem)
        defer { BIO_free(bio) }
        guard let bio, let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw Failure(description: "not a PEM private key")
        }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_EC, EVP_PKEY_get_bits(key) == 256 else {
            EVP_PKEY_free(key)
            throw Failure(description: "not an EC P-256 key")
        }
        pkey = key
    }

    /// PKCS#8 PEM, unencrypted: the state directory keeps it with mode 0600.
    public var pem: String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, pkey, nil, nil, 0, nil, nil) == 1 else { return "" }
        var data: UnsafeMutablePointer<CChar>?
        let n = pounce_BIO_get_mem_data(bio, &data)
        guard let data, n > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
    }

    /// The public key as a JWK (RFC 7517, 7518 §6.2.1), members in the lexicographic order
    /// RFC 7638 hashes.
    public var jwk: [(name: String, value: String)] {
        var x = [UInt8](repeating: 0, count: 32), y = [UInt8](repeating: 0, count: 32)
        _ = pounce_ec_public_xy(pkey, &x, &y)
        return [("crv", "P-256"), ("kty", "EC"), ("x", Base64URL.encode(x)), ("y", Base64URL.encode(y))]
    }

    /// The JWK as JSON text with no whitespace, members in order.
    public var jwkJSON: String {
        "{" + jwk.map { "\"\($0.name)\":\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    /// RFC 7638 thumbprint: base64url(SHA-256(the JWK's required members, in order, no
    /// whitespace)); ACME's key authorization is `token.thumbprint` (RFC 8555 §8.1).
    public var thumbprint: String { Base64URL.encode(Self.sha256(Array(jwkJSON.utf8))) }

    /// ES256: ECDSA over SHA-256, the signature as r || s (64 bytes), as JWS wants it.
    public func sign(_ message: [UInt8]) throws(Failure) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw Failure(description: "EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, pkey) == 1 else {
            throw Failure(description: "EVP_DigestSignInit failed")
        }
        var length = 0
        guard message.withUnsafeBufferPointer({ EVP_DigestSign(ctx, nil, &length, $0.baseAddress, $0.count) }) == 1 else {
            throw Failure(description: "EVP_DigestSign failed")
        }
        var der = [UInt8](repeating: 0, count: length)
        guard message.withUnsafeBufferPointer({ m in
            der.withUnsafeMutableBufferPointer { EVP_DigestSign(ctx, $0.baseAddress, &length, m.baseAddress, m.count) }
        }) == 1 else {
            throw Failure(description: "EVP_DigestSign failed")
        }
        var raw = [UInt8](repeating: 0, count: 64)
        guard pounce_ecdsa_der_to_raw(der, length, &raw) == 1 else { throw Failure(description: "bad ECDSA signature") }
        return raw
    }

    /// SHA-256 of `bytes`, through OpenSSL.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = bytes.withUnsafeBufferPointer { EVP_Digest($0.baseAddress, $0.count, &digest, &length, EVP_sha256(), nil) }
        return digest
    }
}
