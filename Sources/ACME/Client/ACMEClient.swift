import Foundation
import OpenSSLTLS

/// The protocol side of RFC 8555 over `HTTPSClient`: the directory, nonces (one kept
/// from each answer's Replay-Nonce, a new one asked for when there is none, and
/// retries on `badNonce` as §6.5 allows), JWS-signed POSTs, and the account. Blocking;
/// one client serves one account on one thread.
public final class ACMEClient {
    public let directoryURL: URL
    public let key: ECKey
    let http: HTTPSClient
    private var directory: ACMEDirectory?
    private var nonce: String?
    /// The account's URL once registered or found (`kid` of every later request).
    public private(set) var accountURL: String?

    /// An error document (RFC 7807) or a transport failure, with the CA's words.
    public struct Failure: Error, CustomStringConvertible {
        public let status: Int?
        public let type: String?
        public let description: String
    }

    public init(directoryURL: URL, key: ECKey, http: HTTPSClient) {
        self.directoryURL = directoryURL
        self.key = key
        self.http = http
    }

    public func loadDirectory() throws(Failure) -> ACMEDirectory {
        if let directory { return directory }
        let response: HTTPSClient.Response
        do { response = try http.get(directoryURL) } catch { throw Failure(status: nil, type: nil, description: "\(error)") }
        guard response.status == 200 else { throw Self.problem(response, doing: "reading the directory") }
        do {
            let loaded = try ACMEDirectory(json: response.body)
            directory = loaded
            return loaded
        } catch {
            throw Failure(status: response.status, type: nil, description: "\(error)")
        }
    }

    /// newAccount (§7.3): creates the account for `key`, or finds the one it has (200).
    /// Returns the account URL.
    @discardableResult
    public func register(contact: [String], agreeToTerms: Bool) throws(Failure) -> String {
        let dir = try loadDirectory()
        var payload: [String: Any] = ["termsOfServiceAgreed": agreeToTerms]
        if !contact.isEmpty { payload["contact"] = contact }
        let response = try post(dir.newAccount, payload: payload, signer: .jwk)
        guard response.status == 201 || response.status == 200, let location = response.header("Location") else {
            throw Self.problem(response, doing: "registering the account")
        }
        accountURL = location
        return location
    }

    /// A signed POST; `payload` nil is POST-as-GET. A `badNonce` answer is retried with the
    /// nonce it carries (up to `badNonceAttempts` sends in all).
    public func post(_ url: URL, payload: Any?, signer: JWS.Signer? = nil) throws(Failure) -> HTTPSClient.Response {
        let data: Data?
        do {
            data = try payload.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .withoutEscapingSlashes]) }
        } catch {
            throw Failure(status: nil, type: nil, description: "cannot encode the request: \(error)")
        }
        let by: JWS.Signer
        if let signer {
            by = signer
        } else if let accountURL {
            by = .keyID(accountURL)
        } else {
            throw Failure(status: nil, type: nil, description: "no account yet")
        }
        var attempt = 0
        while true {
            attempt += 1
            let body: [UInt8]
            do {
                body = try JWS.body(payload: data, url: url, nonce: try freshNonce(), key: key, signer: by)
            } catch let failure as Failure {
                throw failure
            } catch {
                throw Failure(status: nil, type: nil, description: "cannot sign the request: \(error)")
            }
            let response: HTTPSClient.Response
            do { response = try http.post(url, body: body) } catch { throw Failure(status: nil, type: nil, description: "\(error)") }
            nonce = response.header("Replay-Nonce")
            if response.status == 400, attempt < Self.badNonceAttempts,
               Self.problemType(response) == "urn:ietf:params:acme:error:badNonce" {
                continue
            }
            return response
        }
    }

    /// How often one request is sent with a new nonce after `badNonce`: a CA may refuse any
    /// nonce (Pebble refuses 5% on purpose), and each refusal carries the next one, so
    /// retrying is cheap; the bound only stops a CA that refuses every nonce.
    static let badNonceAttempts = 10

    private func freshNonce() throws(Failure) -> String {
        if let nonce {
            self.nonce = nil
            return nonce
        }
        let dir = try loadDirectory()
        let response: HTTPSClient.Response
        do { response = try http.head(dir.newNonce) } catch { throw Failure(status: nil, type: nil, description: "\(error)") }
        guard let fresh = response.header("Replay-Nonce") else { throw Self.problem(response, doing: "getting a nonce") }
        return fresh
    }

    static func problemType(_ response: HTTPSClient.Response) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["type"] as? String
    }

    static func problem(_ response: HTTPSClient.Response, doing what: String) -> Failure {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let detail = (object?["detail"] as? String) ?? "HTTP \(response.status)"
        return Failure(status: response.status, type: object?["type"] as? String, description: "\(what): \(detail)")
    }
}
