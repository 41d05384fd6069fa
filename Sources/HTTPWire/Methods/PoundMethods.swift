/// The request methods Pound 4.23 knows, with the `xHTTP` group that enables each.
/// Matching ignores case, as Pound's does; anything else is answered with 400.
public enum PoundMethods {
    /// Group 0: GET POST HEAD; 1: + PUT PATCH DELETE; 2: + WebDAV; 3: + MS extensions.
    public static func group(of method: String) -> Int? {
        var method = method
        return method.withUTF8 { group(of: UnsafeRawBufferPointer($0)) }
    }

    static func group(of m: UnsafeRawBufferPointer) -> Int? {
        // Dispatch on length first so a request usually costs one or two compares.
        switch m.count {
        case 3:
            if ASCII.equalsIgnoringCase(m, "get") { return 0 }
            if ASCII.equalsIgnoringCase(m, "put") { return 1 }
        case 4:
            if ASCII.equalsIgnoringCase(m, "post") { return 0 }
            if ASCII.equalsIgnoringCase(m, "head") { return 0 }
            if ASCII.equalsIgnoringCase(m, "lock") { return 2 }
            if ASCII.equalsIgnoringCase(m, "move") { return 2 }
            if ASCII.equalsIgnoringCase(m, "copy") { return 2 }
            if ASCII.equalsIgnoringCase(m, "poll") { return 3 }
        case 5:
            if ASCII.equalsIgnoringCase(m, "patch") { return 1 }
            if ASCII.equalsIgnoringCase(m, "mkcol") { return 2 }
            if ASCII.equalsIgnoringCase(m, "trace") { return 2 }
            if ASCII.equalsIgnoringCase(m, "merge") { return 2 }
            if ASCII.equalsIgnoringCase(m, "bmove") { return 3 }
            if ASCII.equalsIgnoringCase(m, "bcopy") { return 3 }
        case 6:
            if ASCII.equalsIgnoringCase(m, "delete") { return 1 }
            if ASCII.equalsIgnoringCase(m, "unlock") { return 2 }
            if ASCII.equalsIgnoringCase(m, "search") { return 2 }
            if ASCII.equalsIgnoringCase(m, "report") { return 2 }
            if ASCII.equalsIgnoringCase(m, "notify") { return 3 }
        case 7:
            if ASCII.equalsIgnoringCase(m, "options") { return 2 }
            if ASCII.equalsIgnoringCase(m, "bdelete") { return 3 }
            if ASCII.equalsIgnoringCase(m, "connect") { return 3 }
        case 8:
            if ASCII.equalsIgnoringCase(m, "propfind") { return 2 }
            if ASCII.equalsIgnoringCase(m, "checkout") { return 2 }
        case 9:
            if ASCII.equalsIgnoringCase(m, "proppatch") { return 2 }
            if ASCII.equalsIgnoringCase(m, "subscribe") { return 3 }
            if ASCII.equalsIgnoringCase(m, "bpropfind") { return 3 }
        case 10:
            if ASCII.equalsIgnoringCase(m, "mkactivity") { return 2 }
            if ASCII.equalsIgnoringCase(m, "bproppatch") { return 3 }
        case 11:
            if ASCII.equalsIgnoringCase(m, "unsubscribe") { return 3 }
        default:
            break
        }
        return nil
    }
}
