import Foundation

/// Issuance (RFC 8555 §7.4): an order for the names, each authorization proven through one
/// challenge the caller answers, the order finalized with a CSR for `certificateKey`, and
/// the certificate chain downloaded.
extension ACMEClient {
    /// `prepare` is called for each authorization still pending with the challenge chosen
    /// and its key authorization (§8.1): it must publish it (http-01: at
    /// /.well-known/acme-challenge/TOKEN; tls-alpn-01: in a certificate, RFC 8737) before
    /// returning. Returns the PEM chain, leaf first.
    public func issue(names: [String], certificateKey: ECKey, challengeType: String = "http-01", timeout: Double = 120,
                      prepare: (ACMEChallenge, _ identifier: String, _ keyAuthorization: String) -> Void) throws(Failure) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        let directory = try loadDirectory()
        let identifiers = names.map { ["type": "dns", "value": $0] }
        let created = try post(directory.newOrder, payload: ["identifiers": identifiers])
        guard created.status == 201, let location = created.header("Location").flatMap(URL.init(string:)),
              var order = ACMEOrder(url: location, json: created.body) else {
            throw Self.problem(created, doing: "creating the order")
        }
        for url in order.authorizations {
            var authorization = try fetchAuthorization(url)
            if authorization.status == "valid" { continue }
            guard let challenge = authorization.challenges.first(where: { $0.type == challengeType }) else {
                throw Failure(status: nil, type: nil,
                              description: "the CA offers no \(challengeType) challenge for \(authorization.identifier)")
            }
            prepare(challenge, authorization.identifier, keyAuthorization(challenge.token))
            let answered = try post(challenge.url, payload: [String: String]())
            guard answered.status == 200 else { throw Self.problem(answered, doing: "answering the challenge") }
            while authorization.status == "pending" || authorization.status == "processing" {
                try wait(until: deadline, doing: "validating \(authorization.identifier)")
                authorization = try fetchAuthorization(url)
            }
            guard authorization.status == "valid" else {
                throw Failure(status: nil, type: nil, description: "\(authorization.identifier) was not validated: "
                              + (authorization.problem ?? authorization.status))
            }
        }
        let csr: [UInt8]
        do { csr = try CertificateRequest.der(names: names, key: certificateKey) } catch {
            throw Failure(status: nil, type: nil, description: error.description)
        }
        let finalized = try post(order.finalize, payload: ["csr": Base64URL.encode(csr)])
        guard finalized.status == 200, let updated = ACMEOrder(url: order.url, json: finalized.body) else {
            throw Self.problem(finalized, doing: "finalizing the order")
        }
        order = updated
        while order.status == "processing" || order.status == "ready" || order.status == "pending" {
            try wait(until: deadline, doing: "issuing the certificate")
            let polled = try post(order.url, payload: nil)
            guard polled.status == 200, let next = ACMEOrder(url: order.url, json: polled.body) else {
                throw Self.problem(polled, doing: "polling the order")
            }
            order = next
        }
        guard order.status == "valid", let certificateURL = order.certificate else {
            throw Failure(status: nil, type: nil, description: "the order ended \(order.status): \(order.problem ?? "")")
        }
        let downloaded = try post(certificateURL, payload: nil)
        guard downloaded.status == 200 else { throw Self.problem(downloaded, doing: "downloading the certificate") }
        return String(decoding: downloaded.body, as: UTF8.self)
    }

    /// `token.thumbprint` (§8.1).
    public func keyAuthorization(_ token: String) -> String { "\(token).\(key.thumbprint)" }

    private func fetchAuthorization(_ url: URL) throws(Failure) -> ACMEAuthorization {
        let response = try post(url, payload: nil)
        guard response.status == 200, let authorization = ACMEAuthorization(json: response.body) else {
            throw Self.problem(response, doing: "reading an authorization")
        }
        return authorization
    }

    private func wait(until deadline: Date, doing what: String) throws(Failure) {
        guard Date() < deadline else { throw Failure(status: nil, type: nil, description: "\(what): timed out") }
        usleep(250_000)
    }
}
