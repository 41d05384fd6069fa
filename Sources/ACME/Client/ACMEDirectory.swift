import Foundation

/// The CA's directory (RFC 8555 §7.1.1): where each operation is asked.
public struct ACMEDirectory: Sendable, Equatable {
    public var newNonce: URL
    public var newAccount: URL
    public var newOrder: URL
    public var revokeCert: URL?
    public var keyChange: URL?
    public var renewalInfo: URL?
    public var termsOfService: URL?

    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    public init(json: [UInt8]) throws(Malformed) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            throw Malformed(description: "the directory is not a JSON object")
        }
        func url(_ name: String) -> URL? { (object[name] as? String).flatMap(URL.init(string:)) }
        guard let newNonce = url("newNonce"), let newAccount = url("newAccount"), let newOrder = url("newOrder") else {
            throw Malformed(description: "the directory lacks newNonce, newAccount or newOrder")
        }
        self.newNonce = newNonce
        self.newAccount = newAccount
        self.newOrder = newOrder
        revokeCert = url("revokeCert")
        keyChange = url("keyChange")
        renewalInfo = url("renewalInfo")
        termsOfService = ((object["meta"] as? [String: Any])?["termsOfService"] as? String).flatMap(URL.init(string:))
    }
}
