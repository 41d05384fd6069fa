import Foundation

/// A JWS in the flattened JSON serialization (RFC 7515 §7.2.2), as every ACME POST
/// carries it (RFC 8555 §6.2): ES256, the request's URL and a fresh nonce in the
/// protected header, and either the account key itself (`jwk`, for newAccount) or the
/// account's URL (`kid`).
public enum JWS {
    public enum Signer: Sendable {
        case jwk
        case keyID(String)
    }

    /// The request body. `payload` nil is POST-as-GET (RFC 8555 §6.3): an empty payload.
    public static func body(payload: Data?, url: URL, nonce: String, key: ECKey, signer: Signer) throws -> [UInt8] {
        var header: [String: Any] = ["alg": "ES256", "nonce": nonce, "url": url.absoluteString]
        switch signer {
        case .jwk: header["jwk"] = Dictionary(uniqueKeysWithValues: key.jwk.map { ($0.name, $0.value) })
        case .keyID(let kid): header["kid"] = kid
        }
        let protected = Base64URL.encode(Array(try JSONSerialization.data(withJSONObject: header,
                                                                          options: [.sortedKeys, .withoutEscapingSlashes])))
        let encodedPayload = payload.map { Base64URL.encode(Array($0)) } ?? ""
        let signature = try key.sign(Array("\(protected).\(encodedPayload)".utf8))
        let body: [String: String] = [
            "protected": protected, "payload": encodedPayload, "signature": Base64URL.encode(signature),
        ]
        return Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]))
    }
}
