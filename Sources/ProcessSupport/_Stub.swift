public final class SignalWaiter { public init() {}; public enum ShutdownSignal { case graceful, immediate }; public func wait() -> ShutdownSignal { .graceful } }
public enum SocketFrom { public static func receiveListeningSocket(path: String) throws -> (fd: Int32, address: String) { (0, "") } }
public enum Daemon { public static func detach() throws {} }
public enum PIDFile { public static func write(_ p: String, log: Any) {}; public static func remove(_ p: String) {} }
public enum Privileges { public static func drop(user: String?, group: String?, rootJail: String?) throws {} }
