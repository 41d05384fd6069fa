import CProcessSupport
#if canImport(Glibc)
import Glibc
#endif

/// `User`, `Group` and `RootJail`: who the proxy runs as once its sockets are open.
///
/// Pound looks the names up while starting (before the listeners are opened, and before
/// the chroot hides /etc/passwd) and drops privileges in its server process, in this
/// order: chroot + chdir("/"), the group, then the user. Two deliberate differences,
/// both only when running as root: the supplementary groups are reset (initgroups for
/// `User`, just `Group` otherwise), where Pound keeps root's; and `User` without `Group`
/// takes the user's primary group, where Pound keeps gid 0.
public struct Privileges: Sendable, Equatable {
    public var userName: String?
    public var userID: uid_t?
    public var groupID: gid_t?

    public init(userName: String? = nil, userID: uid_t? = nil, groupID: gid_t? = nil) {
        self.userName = userName
        self.userID = userID
        self.groupID = groupID
    }

    /// Looks up `user` and `group`. Errors: Pound's `no such user NAME`,
    /// `no such group NAME`.
    public static func resolve(user: String?, group: String?) throws(ProcessSupportError) -> Privileges {
        var result = Privileges()
        if let user {
            guard let entry = lookupUser(user) else { throw ProcessSupportError("no such user \(user)") }
            result.userName = user
            result.userID = entry.uid
            result.groupID = entry.gid
        }
        if let group {
            guard let gid = lookupGroup(group) else { throw ProcessSupportError("no such group \(group)") }
            result.groupID = gid
        }
        return result
    }

    /// Linux capabilities a process can keep when it gives up root.
    public enum Capability: Int, Sendable, CaseIterable {
        case netBindService = 10
        case netAdmin = 12
        case netRaw = 13
    }

    /// Enters `rootJail` (if any) and switches to the resolved group and user. Errors:
    /// Pound's `chroot: ERR`, `chdir /: ERR`, `setgid: ERR`, `setuid: ERR`, plus
    /// `initgroups: ERR` / `setgroups: ERR`, and `capset: ERR` when `keeping` could not be kept.
    ///
    /// `keeping` (a Pounce addition, for VRRP: raw sockets and netlink address changes check the
    /// caller's capabilities on every use) survives the switch from root to `User`; everything
    /// else goes as before. Call it before any other thread starts: capabilities are per
    /// thread, and threads created afterwards inherit the caller's.
    public func drop(rootJail: String?, keeping: [Capability] = []) throws(ProcessSupportError) {
        let keeps = !keeping.isEmpty && userID != nil && geteuid() == 0 && userID != 0
        if keeps {
            guard pounce_keep_capabilities_across_setuid(1) == 0 else { throw .system("prctl") }
        }
        if let rootJail {
            guard chroot(rootJail) == 0 else { throw .system("chroot") }
            guard chdir("/") == 0 else { throw .system("chdir /") }
        }
        if let groupID {
            if geteuid() == 0 {
                if let userName {
                    guard initgroups(userName, groupID) == 0 else { throw .system("initgroups") }
                } else {
                    var groups = [groupID]
                    guard setgroups(1, &groups) == 0 else { throw .system("setgroups") }
                }
            }
            guard setgid(groupID) == 0, setegid(groupID) == 0 else { throw .system("setgid") }
        }
        if let userID {
            guard setuid(userID) == 0, seteuid(userID) == 0 else { throw .system("setuid") }
        }
        if keeps {
            let mask = keeping.reduce(UInt64(0)) { $0 | 1 << UInt64($1.rawValue) }
            guard pounce_set_capabilities(mask) == 0 else { throw .system("capset") }
            _ = pounce_keep_capabilities_across_setuid(0)
        }
    }

    /// `resolve` then `drop`, for callers with nothing to do in between.
    public static func drop(user: String?, group: String?, rootJail: String?) throws(ProcessSupportError) {
        try resolve(user: user, group: group).drop(rootJail: rootJail)
    }

    private static func lookupUser(_ name: String) -> (uid: uid_t, gid: gid_t)? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return (entry.pw_uid, entry.pw_gid)
    }

    private static func lookupGroup(_ name: String) -> gid_t? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 65536)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }
}
