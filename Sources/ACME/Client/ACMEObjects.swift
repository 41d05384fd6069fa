import Foundation

/// The objects of RFC 8555 §7.1 that issuance reads, from their JSON.
public struct ACMEOrder: Sendable {
    public var url: URL
    public var status: String
    public var authorizations: [URL]
    public var finalize: URL
    public var certificate: URL?
    public var problem: String?

    init?(url: URL, json: [UInt8]) {
        guard let o = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let status = o["status"] as? String, let finalize = (o["finalize"] as? String).flatMap(URL.init(string:)),
              let authorizations = (o["authorizations"] as? [String])?.compactMap(URL.init(string:))
        else { return nil }
        self.url = url
        self.status = status
        self.authorizations = authorizations
        self.finalize = finalize
        certificate = (o["certificate"] as? String).flatMap(URL.init(string:))
        problem = (o["error"] as? [String: Any])?["detail"] as? String
    }
}

public struct ACMEChallenge: Sendable, Equatable {
    public var type: String
    public var url: URL
    public var token: String
    public var status: String
}

public struct ACMEAuthorization: Sendable {
    public var identifier: String
    public var status: String
    public var challenges: [ACMEChallenge]
    public var problem: String?

    init?(json: [UInt8]) {
        guard let o = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let status = o["status"] as? String,
              let identifier = (o["identifier"] as? [String: Any])?["value"] as? String,
              let list = o["challenges"] as? [[String: Any]]
        else { return nil }
        self.identifier = identifier
        self.status = status
        challenges = list.compactMap { c in
            guard let type = c["type"] as? String, let url = (c["url"] as? String).flatMap(URL.init(string:)),
                  let status = c["status"] as? String else { return nil }
            return ACMEChallenge(type: type, url: url, token: c["token"] as? String ?? "", status: status)
        }
        problem = list.compactMap { ($0["error"] as? [String: Any])?["detail"] as? String }.first
    }
}
