/// What a supervisor hands the worker it starts, in one environment variable: the
/// descriptors the worker inherits (listening sockets in configuration order, the
/// control socket, its end of the link, the readiness pipe, the sessions of the
/// worker before it) and its generation. Descriptor numbers only: the descriptors
/// themselves are placed by `SelfSpawn`.
///
/// The text is `v1;gen=3;parent=812;listeners=3,4;control=5;link=6;ready=7;sessions=8`, parsed
/// strictly: the worker refuses to start on anything else rather than serve on the
/// wrong sockets.
public struct WorkerHandoff: Sendable, Equatable {
    public static let environmentName = "POUNCE_SUPERVISED"

    public var generation: Int
    /// The supervisor's PID, so the worker can tell it is still there.
    public var parent: Int32
    public var listeners: [Int32]
    public var control: Int32?
    public var link: Int32
    public var ready: Int32
    public var sessions: Int32?

    public init(generation: Int, parent: Int32, listeners: [Int32], control: Int32?, link: Int32, ready: Int32, sessions: Int32?) {
        self.generation = generation
        self.parent = parent
        self.listeners = listeners
        self.control = control
        self.link = link
        self.ready = ready
        self.sessions = sessions
    }

    public var encoded: String {
        var parts = ["v1", "gen=\(generation)", "parent=\(parent)", "listeners=" + listeners.map(String.init).joined(separator: ",")]
        if let control { parts.append("control=\(control)") }
        parts.append("link=\(link)")
        parts.append("ready=\(ready)")
        if let sessions { parts.append("sessions=\(sessions)") }
        return parts.joined(separator: ";")
    }

    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    public init(parsing text: String) throws(Malformed) {
        var fields = text.split(separator: ";", omittingEmptySubsequences: false)
        guard fields.first == "v1" else { throw Malformed(description: "unknown hand-off version in \(Self.environmentName)") }
        fields.removeFirst()
        var values: [Substring: Substring] = [:]
        for field in fields {
            guard let eq = field.firstIndex(of: "="), values[field[..<eq]] == nil else {
                throw Malformed(description: "malformed field \"\(field)\" in \(Self.environmentName)")
            }
            values[field[..<eq]] = field[field.index(after: eq)...]
        }
        func descriptor(_ text: Substring) throws(Malformed) -> Int32 {
            guard let fd = Int32(text), fd >= 0 else { throw Malformed(description: "bad descriptor \"\(text)\" in \(Self.environmentName)") }
            return fd
        }
        func required(_ name: Substring) throws(Malformed) -> Substring {
            guard let value = values.removeValue(forKey: name) else {
                throw Malformed(description: "\(name) missing in \(Self.environmentName)")
            }
            return value
        }
        guard let generation = Int(try required("gen")), generation > 0 else {
            throw Malformed(description: "bad generation in \(Self.environmentName)")
        }
        self.generation = generation
        guard let parent = Int32(try required("parent")), parent > 0 else {
            throw Malformed(description: "bad parent in \(Self.environmentName)")
        }
        self.parent = parent
        let list = try required("listeners")
        var listeners: [Int32] = []
        for item in list.split(separator: ",") { listeners.append(try descriptor(item)) }
        self.listeners = listeners
        link = try descriptor(try required("link"))
        ready = try descriptor(try required("ready"))
        control = try values.removeValue(forKey: "control").map { (t: Substring) throws(Malformed) in try descriptor(t) }
        sessions = try values.removeValue(forKey: "sessions").map { (t: Substring) throws(Malformed) in try descriptor(t) }
        if let unknown = values.keys.first {
            throw Malformed(description: "unknown field \"\(unknown)\" in \(Self.environmentName)")
        }
    }
}
