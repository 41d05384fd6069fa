import PoundRegex

/// One request (or response) condition of a service or rewrite rule.
///
/// Indirect because `Not` and `Match` nest other conditions, as Pound's SERVICE_COND
/// tree does. Pattern conditions carry their compiled `Pattern`, so the runtime never
/// compiles anything per request.
public indirect enum Condition: Sendable {
    /// URL, Path, Query, Method, Header, Host, QueryParam, StringMatch with one pattern.
    case match(PatternCondition)
    /// The same with patterns read from a file (`-file`/`-filewatch`): any may match.
    case patternFile(PatternFileCondition)
    /// Source address in an ACL (`-forwarded`: take it from X-Forwarded-For).
    case acl(ACL, forwarded: Bool)
    case basicAuth(BasicAuthFile)
    /// `ClientCert "file"`: the client presented exactly this certificate.
    case clientCert(ClientCertificate)
    case tokenBucket(TokenBucket)
    /// `Eval "name"`: the result of a named condition, evaluated once per request.
    case eval(name: String, index: Int)
    case lua(LuaClosure)
    /// `Match [AND|OR] ... End`.
    case group(ConditionGroup)
    /// `Not COND` (and the deprecated `HeadDeny`).
    case not(Condition)
}

/// A list of conditions joined by AND or OR (Pound's COND_BOOL). A service with an
/// empty AND group matches every request.
public struct ConditionGroup: Sendable {
    public enum Operator: Sendable, Hashable {
        case and, or
    }

    public var op: Operator = .and
    public var conditions: [Condition] = []

    public init(op: Operator = .and, conditions: [Condition] = []) {
        self.op = op
        self.conditions = conditions
    }

    public var isEmpty: Bool { conditions.isEmpty }
}

/// What part of the request a pattern is matched against.
public enum MatchSubject: Sendable, Hashable {
    /// The whole request URL (path and query).
    case url
    /// The path, percent-decoded with `-decode`.
    case path
    case query
    case method
    /// Any header line as a whole ("Name: value"), the 2.x `HeadRequire` semantics;
    /// multi-line, case-insensitive by default.
    case headerLine
    /// The value of the named header (`Header "Name" "pattern"`, `Host`).
    case header(String)
    /// The value of a query parameter (`-decode` decodes it first).
    case queryParam(String)
    /// The expansion of a template string (`StringMatch "$1%[...]" "pattern"`).
    case string(String)
}

/// A single compiled pattern against a subject.
public struct PatternCondition: Sendable {
    public var subject: MatchSubject
    public var pattern: Pattern
    /// `-tag "T"`: names the match so later templates can refer to its groups.
    public var tag: String?
    /// `-decode`: percent-decode the subject first (Path and QueryParam only).
    public var decode: Bool

    public init(subject: MatchSubject, pattern: Pattern, tag: String? = nil, decode: Bool = false) {
        self.subject = subject
        self.pattern = pattern
        self.tag = tag
        self.decode = decode
    }
}

/// Patterns read one per line from a file; the condition holds if any matches.
public struct PatternFileCondition: Sendable {
    public var subject: MatchSubject
    public var kind: PatternKind
    public var options: PatternOptions
    public var file: WatchedFile
    /// Compiled at load time; empty for a watched file that did not exist yet.
    public var patterns: [Pattern]
    public var tag: String?
    public var decode: Bool

    public init(subject: MatchSubject, kind: PatternKind, options: PatternOptions, file: WatchedFile,
                patterns: [Pattern], tag: String? = nil, decode: Bool = false) {
        self.subject = subject
        self.kind = kind
        self.options = options
        self.file = file
        self.patterns = patterns
        self.tag = tag
        self.decode = decode
    }
}

/// `BasicAuth "htpasswd"`: credentials file, watched for changes unless `-file` was given.
public struct BasicAuthFile: Sendable {
    public var file: WatchedFile
    /// user name -> password hash, as read at load time (in file order).
    public var users: [(user: String, password: String)]

    public init(file: WatchedFile, users: [(user: String, password: String)]) {
        self.file = file
        self.users = users
    }
}

/// `ClientCert "pem"`. Only the path and its PEM text are kept for now; X.509 parsing
/// (and comparison with the peer certificate) belongs to the TLS layer.
public struct ClientCertificate: Sendable {
    public var path: String
    public var pem: [UInt8]

    public init(path: String, pem: [UInt8]) {
        self.path = path
        self.pem = pem
    }
}

/// `TBF "key" RATE BURST`: a token bucket per expanded key.
public struct TokenBucket: Sendable, Hashable {
    /// Template expanded per request to select the bucket (e.g. "%a").
    public var keyTemplate: String
    /// Nanoseconds between two tokens (Pound keeps the rate this way).
    public var nanosecondsPerToken: UInt64
    /// Bucket capacity.
    public var burst: Int

    public init(keyTemplate: String, nanosecondsPerToken: UInt64, burst: Int) {
        self.keyTemplate = keyTemplate
        self.nanosecondsPerToken = nanosecondsPerToken
        self.burst = burst
    }
}

/// A call of a Lua function with constant string arguments (`LuaMatch`, `LuaModify`).
public struct LuaClosure: Sendable, Hashable {
    public var function: String
    public var arguments: [String]
    public var range: LocusRange

    public init(function: String, arguments: [String], range: LocusRange) {
        self.function = function
        self.arguments = arguments
        self.range = range
    }
}

/// A detached condition (`Condition "NAME" [AND|OR] ... End`), used through `Eval`.
///
/// Pound numbers them in declaration order so a request can cache each result in a
/// small array; `index` is that number.
public struct NamedCondition: Sendable {
    public var name: String
    public var index: Int
    public var group: ConditionGroup
    public var range: LocusRange
    /// How many levels evaluating it recurses: its body, the sections nested in it,
    /// and the depth of the named conditions it `Eval`s. An `Eval` adds this to the
    /// level it is written at, which must stay within `ConfigParser.nestingLimit`.
    public var depth: Int

    public init(name: String, index: Int, group: ConditionGroup, range: LocusRange, depth: Int = 0) {
        self.name = name
        self.index = index
        self.group = group
        self.range = range
        self.depth = depth
    }
}
