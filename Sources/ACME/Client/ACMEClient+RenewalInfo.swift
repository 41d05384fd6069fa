import Foundation
import OpenSSLTLS

/// ACME Renewal Information (RFC 9773): the window in which the CA would like a
/// certificate renewed, asked without signing (a plain GET).
extension ACMEClient {
    public struct RenewalInformation: Sendable {
        public var window: (start: Double, end: Double)
        /// Seconds until asking again (the Retry-After header), when given.
        public var retryAfter: Double?
    }

    /// nil when the CA offers no renewal information.
    public func renewalInformation(_ certificateIdentifier: String) throws(Failure) -> RenewalInformation? {
        guard let base = try loadDirectory().renewalInfo,
              let url = URL(string: base.absoluteString + "/" + certificateIdentifier) else { return nil }
        let response: HTTPSClient.Response
        do { response = try http.get(url) } catch { throw Failure(status: nil, type: nil, description: "\(error)") }
        guard response.status == 200,
              let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let window = object["suggestedWindow"] as? [String: Any],
              let start = (window["start"] as? String).flatMap(Self.timestamp),
              let end = (window["end"] as? String).flatMap(Self.timestamp), end > start
        else { throw Self.problem(response, doing: "reading the renewal information") }
        return RenewalInformation(window: (start, end), retryAfter: response.header("Retry-After").flatMap(Double.init))
    }

    /// RFC 3339 with or without fractional seconds.
    static func timestamp(_ text: String) -> Double? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date.timeIntervalSince1970 }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)?.timeIntervalSince1970
    }
}
