import OpenSSLTLS
import PoundConfig

/// Where the answers to the CA's challenges are put while it validates, and taken away
/// after: http-01 tokens as files every ListenHTTP serves (`StateDirectory/challenges`),
/// tls-alpn-01 certificates in the HTTPS listeners' `ALPNChallenges`.
final class ChallengeBoard {
    let directory: StateDirectory
    let alpn: ALPNChallenges
    private var withdrawals: [() -> Void] = []

    init(directory: StateDirectory, alpn: ALPNChallenges) {
        self.directory = directory
        self.alpn = alpn
    }

    /// Publishes one answer; a failure is returned, to be logged (validation then fails and
    /// says why from the CA's side).
    func publish(_ challenge: ACMEChallenge, identifier: String, keyAuthorization: String) -> String? {
        switch challenge.type {
        case ACMEChallengeType.http01.rawValue:
            do {
                try directory.writeChallenge(token: challenge.token, keyAuthorization: keyAuthorization)
            } catch {
                return error.description
            }
            let directory = self.directory
            withdrawals.append { directory.removeChallenge(token: challenge.token) }
        case ACMEChallengeType.tlsALPN01.rawValue:
            do {
                let key = try ECKey.generate()
                let certificate = try SelfSignedCertificate.tlsALPN01(name: identifier, keyAuthorization: keyAuthorization,
                                                                      key: key)
                try alpn.publish(name: identifier, certificate: CertificatePEM(chain: certificate, key: key.pem))
            } catch {
                return "\(error)"
            }
            let alpn = self.alpn
            withdrawals.append { alpn.withdraw(name: identifier) }
        default:
            return "\(challenge.type) is not answered"
        }
        return nil
    }

    func withdrawAll() {
        for withdraw in withdrawals { withdraw() }
        withdrawals = []
    }
}
