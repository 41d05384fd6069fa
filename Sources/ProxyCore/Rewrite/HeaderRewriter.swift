import HTTPWire
import PoundConfig
import PoundRegex
import Routing

/// The unconditional header operations of a listener or service, applied to each
/// request before it is sent on (Pound's `rewrite_apply`, listener rules first):
/// `SetHeader`/2.x `AddHeader` and `DeleteHeader`/2.x `HeadRemove`.
///
/// Conditional `Rewrite` blocks and URL operations are the request-language issue's;
/// until then `unsupported` names them so start-up can say they are not applied.
struct HeaderRewriter: Sendable {
    enum Operation: Sendable {
        case set(name: String, value: Template)
        case delete(Pattern)
    }

    let operations: [Operation]
    let unsupported: [String]

    init(_ rules: [RewriteRule]) {
        var operations: [Operation] = []
        var unsupported: [String] = []
        for rule in rules {
            if !rule.condition.isEmpty || rule.otherwise != nil {
                unsupported.append("conditional Rewrite block")
                continue
            }
            for op in rule.operations {
                switch op {
                case .setHeader(let line):
                    guard let colon = line.firstIndex(of: ":"),
                          let template = try? Template(String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }),
                                                       unknownAccessors: .literal) else {
                        unsupported.append("SetHeader \"\(line)\"")
                        continue
                    }
                    operations.append(.set(name: String(line[..<colon]), value: template))
                case .deleteHeader(let pattern):
                    operations.append(.delete(pattern))
                default:
                    unsupported.append("request modification \(op)")
                }
            }
        }
        self.operations = operations
        self.unsupported = unsupported
    }

    var isEmpty: Bool { operations.isEmpty }

    func apply(to request: inout RoutingRequest) {
        for op in operations {
            switch op {
            case .set(let name, let template):
                let value = template.isLiteral ? template.source : template.expand(request)
                request.head.headers.replaceOrAppend(name, value)
            case .delete(let pattern):
                request.head.headers.fields.removeAll { pattern.matches($0.line) }
            }
        }
    }
}
