import PoundConfig
import PoundRegex

/// One compiled modification of a `Rewrite` rule, or a nested rule. Templates are
/// parsed once; Pound re-parses at every request and reports syntax errors then,
/// which `Template` keeps as failing segments so the outcome is the same.
indirect enum RewriteStep: Sendable {
    /// `SetHeader`: the whole `Name: value` line is expanded, as in Pound.
    case setHeader(Template)
    case deleteHeader(Pattern)
    case setURL(Template)
    case setPath(Template, encode: Bool)
    case setQuery(Template)
    case deleteQuery
    /// A nil value removes the parameter.
    case setQueryParam(name: String, value: Template?, encode: Bool)
    case rule(CompiledRewriteRule)
    /// `LuaModify`.
    case script(ScriptCall)

    init(_ operation: RewriteOperation, _ context: CompiledRewriteRule.BuildContext) throws {
        func template(_ s: String) throws -> Template { try Template(s, unknownAccessors: .literal) }
        switch operation {
        case .setHeader(let line): self = .setHeader(try template(line))
        case .deleteHeader(let pattern): self = .deleteHeader(pattern)
        case .setURL(let s): self = .setURL(try template(s))
        case .setPath(let s, let encode): self = .setPath(try template(s), encode: encode)
        case .setQuery(let s): self = .setQuery(try template(s))
        case .deleteQuery: self = .deleteQuery
        case .setQueryParam(let name, let value, let encode):
            self = .setQueryParam(name: name, value: try value.map(template), encode: encode)
        case .rule(let rule): self = .rule(try CompiledRewriteRule(rule, context))
        case .lua(let closure):
            self = .script(try ScriptCall(closure, engine: context.conditions.scripts))
        }
    }

    /// Pound's name for the value in expansion warnings (`path "/x$0" refers to ...`).
    var what: String {
        switch self {
        case .setHeader: "Header"
        case .setURL: "url"
        case .setPath: "path"
        case .setQuery: "query"
        case .setQueryParam: "query parameter"
        case .deleteHeader, .deleteQuery, .rule, .script: ""
        }
    }
}
