/// The built-in session types.
public enum SessionKind: Sendable, Hashable {
    case ip, basic, url, parm, cookie, header
}
