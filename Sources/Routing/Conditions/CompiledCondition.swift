import PoundConfig
import PoundRegex

/// A service (or named) condition prepared for evaluation: templates parsed, ACLs
/// and password files indexed, a token-bucket table per `TBF` statement.
indirect enum CompiledCondition: Sendable {
    case pattern(PatternTest)
    /// Patterns from a file: any may match.
    case patternList(PatternListTest)
    /// The list is reloaded while the server runs when its file is watched.
    case acl(FileContent<AddressList>, forwarded: Bool)
    case basicAuth(FileContent<PasswordFile>)
    /// `ClientCert "file"`: the client presented exactly this certificate.
    case clientCertificate(CertificateIdentity)
    /// A `ClientCert` file without a certificate: always false.
    case unavailable
    /// `LuaMatch`.
    case script(ScriptCall)
    case tokenBucket(TokenBucketTable, Template)
    case eval(Int)
    case all([CompiledCondition])
    case any([CompiledCondition])
    case not(CompiledCondition)

    enum Subject: Sendable {
        case url, path, query, method, headerLine
        case header(String)
        case queryParam(String)
        case string(Template)
    }

    struct PatternTest: Sendable {
        var subject: Subject
        var pattern: Pattern
        var tag: String?
        var decode: Bool
    }

    struct PatternListTest: Sendable {
        var subject: Subject
        var patterns: FileContent<[Pattern]>
        var tag: String?
        /// `-filewatch`: Pound evaluates an empty watched list as false, but an empty
        /// `-file` list (an OR of nothing) as true.
        var watched: Bool
    }

    struct Context {
        var clock: any RoutingClock
        /// Where conditions on `-filewatch` files get their content holders.
        var files = WatchRegistry()
        /// Where `LuaMatch` and `LuaModify` functions are resolved.
        var scripts: (any ScriptEngine)?
    }

    init(_ condition: Condition, _ context: Context) throws {
        switch condition {
        case .match(let m):
            self = .pattern(PatternTest(subject: try Self.subject(m.subject), pattern: m.pattern,
                                        tag: m.tag, decode: m.decode))
        case .patternFile(let f):
            // Pound does not pass -decode on to the patterns read from a file.
            self = .patternList(PatternListTest(subject: try Self.subject(f.subject),
                                                patterns: context.files.patterns(f),
                                                tag: f.tag, watched: f.file.watch))
        case .acl(let acl, let forwarded):
            self = .acl(context.files.addressList(acl), forwarded: forwarded)
        case .basicAuth(let file):
            self = .basicAuth(context.files.passwords(file))
        case .clientCert(let cert):
            self = CertificateIdentity(pem: cert.pem).map { .clientCertificate($0) } ?? .unavailable
        case .lua(let closure):
            self = .script(try ScriptCall(closure, engine: context.scripts))
        case .tokenBucket(let tb):
            self = .tokenBucket(TokenBucketTable(tb, clock: context.clock),
                                try Template(tb.keyTemplate, unknownAccessors: .literal))
        case .eval(_, let index):
            self = .eval(index)
        case .group(let g):
            self = try Self(group: g, context)
        case .not(let c):
            self = .not(try CompiledCondition(c, context))
        }
    }

    init(group: ConditionGroup, _ context: Context) throws {
        let parts = try group.conditions.map { try CompiledCondition($0, context) }
        self = group.op == .and ? .all(parts) : .any(parts)
    }

    private static func subject(_ s: MatchSubject) throws -> Subject {
        switch s {
        case .url: .url
        case .path: .path
        case .query: .query
        case .method: .method
        case .headerLine: .headerLine
        case .header(let n): .header(n)
        case .queryParam(let n): .queryParam(n)
        case .string(let t): .string(try Template(t, unknownAccessors: .literal))
        }
    }
}
