import PoundConfig
import PoundRegex

/// Collects the watched files while the routing table is built, giving each condition
/// the holder for its content. A named ACL gets one holder however many conditions
/// (and `TrustedIP` statements) refer to it, as Pound shares its ACL object.
final class WatchRegistry {
    private(set) var files: [WatchedFileContent] = []
    private var namedACLs: [String: FileContent<AddressList>] = [:]

    func addressList(_ acl: ACL) -> FileContent<AddressList> {
        guard let file = acl.file, file.watch else { return .fixed(AddressList(acl)) }
        if let name = acl.name, let shared = namedACLs[name] { return shared }
        let content = FileContent.watched(AddressList(acl))
        if let name = acl.name { namedACLs[name] = content }
        files.append(WatchedFileContent(file: file, load: { report in
            file.readACL(report: report).map { content.replace(with: AddressList($0)) }
        }, empty: { content.replace(with: AddressList([])) }))
        return content
    }

    func patterns(_ condition: PatternFileCondition) -> FileContent<[Pattern]> {
        let file = condition.file
        guard file.watch else { return .fixed(condition.patterns) }
        let content = FileContent.watched(condition.patterns)
        let kind = condition.kind
        let options = condition.options
        files.append(WatchedFileContent(file: file, load: { report in
            file.readPatterns(kind: kind, options: options, report: report).map { content.replace(with: $0) }
        }, empty: { content.replace(with: []) }))
        return content
    }

    func passwords(_ auth: BasicAuthFile) -> FileContent<PasswordFile> {
        let file = auth.file
        guard file.watch else { return .fixed(PasswordFile(auth)) }
        let content = FileContent.watched(PasswordFile(auth))
        files.append(WatchedFileContent(file: file, load: { _ in
            file.readPasswords().map { content.replace(with: PasswordFile(users: $0)) }
        }, empty: { content.replace(with: PasswordFile(users: [])) }))
        return content
    }
}
