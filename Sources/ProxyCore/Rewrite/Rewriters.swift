import PoundConfig

/// A listener's or service's request and response rules, compiled once.
struct Rewriters: Sendable {
    let request: MessageRewriter
    let response: MessageRewriter

    init(_ rules: RewriteRules) {
        request = MessageRewriter(rules.request)
        response = MessageRewriter(rules.response, response: true)
    }

    var isEmpty: Bool { request.isEmpty && response.isEmpty }
    var unsupported: [String] { request.unsupported + response.unsupported }
}
