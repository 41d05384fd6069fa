/// Named objects declared so far, which later statements refer to by name.
public struct SymbolTables: Sendable {
    public var acls: [String: ACL] = [:]
    public var namedConditions: [String: NamedCondition] = [:]
    public var namedBackends = NamedBackendTable()
    /// Global constants (`%[const NAME]`).
    public var constants: [String: StringConstant] = [:]
    public var logFormats: [String: LogFormat] = [:]
    public init() {}
}
