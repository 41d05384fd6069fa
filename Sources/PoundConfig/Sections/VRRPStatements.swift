/// The `VRRP` block (a Pounce extension). Its statements are keepalived's `vrrp_instance`
/// settings spelled the pound.cfg way, so a keepalived.conf translates line by line:
///
///     VRRP "VI_1"
///         Interface "eth0"
///         VirtualRouterID 51
///         Priority 101
///         VirtualAddress "10.0.0.99/32"
///         Track Backends "app" 1 Weight -20
///     End
public enum VRRPStatements {
    public static func statement() -> Statement<[VRRPInstance]> {
        Statement("VRRP") { (p, instances: inout [VRRPInstance]) throws in
            let begin = p.lastRange?.begin ?? .unset
            var instance = VRRPInstance(name: "VI_\(instances.count + 1)")
            if let name = try p.optionalString() {
                guard !instances.contains(where: { $0.name == name.text }) else {
                    throw p.fail("VRRP instance name is not unique", at: name.range)
                }
                instance.name = name.text
            }
            var range = try p.parseSection(table, into: &instance)
            range.begin = begin
            instance.range = range
            try validate(instance, in: p, others: instances)
            instances.append(instance)
            return .ok
        }
    }

    nonisolated(unsafe) static let table = StatementTable<VRRPInstance>([
        .end,
        Statement("Interface") { p, v in
            let tok = try p.string()
            // IFNAMSIZ is 16 including the terminating NUL.
            guard !tok.text.isEmpty, tok.text.utf8.count < 16, !tok.text.contains("/") else {
                throw p.fail("invalid interface name", at: tok.range)
            }
            v.interface = tok.text
            return .ok
        },
        Statement("VirtualRouterID") { p, v in v.virtualRouterID = try p.int(in: 1, 255); return .ok },
        Statement("Priority") { p, v in v.priority = try p.int(in: 1, 255); return .ok },
        Statement("Version") { p, v in
            let tok = try p.expect(.number)
            guard tok.text == "2" || tok.text == "3" else { throw p.fail("VRRP version must be 2 or 3", at: tok.range) }
            v.version = tok.text == "2" ? 2 : 3
            return .ok
        },
        Statement("AdvertInterval") { p, v in v.advertInterval = try p.int(in: 1, 4095); return .ok },
        Statement("VirtualAddress") { p, v in
            v.virtualAddresses += try addresses(p, prefix: true)
            return .okNoNewline
        },
        Statement("Preempt") { p, v in
            // A bare `Preempt` reads naturally; a boolean is accepted for symmetry with Pound's flags.
            let tok = try p.anyToken()
            p.putBack(tok)
            v.preempt = tok.kind == .newline ? true : try p.bool()
            return .ok
        },
        Statement("NoPreempt") { _, v in v.preempt = false; return .ok },
        Statement("PreemptDelay") { p, v in v.preemptDelay = try p.int(in: 0, 3600); return .ok },
        Statement("Unicast") { p, v in
            v.unicastPeers += try addresses(p, prefix: false).map(\.addressText)
            return .okNoNewline
        },
        Statement("UnicastSource") { p, v in
            guard let address = try addresses(p, prefix: false, atMostOne: true).first else {
                throw p.fail("expected an IPv4 address")
            }
            v.unicastSource = address.addressText
            return .okNoNewline
        },
        Statement("Authentication") { p, v in
            let kind = try p.expect(.identifier)
            let password = try p.string()
            guard password.text.utf8.count <= 8, !password.text.isEmpty else {
                throw p.fail("the VRRP password must be 1 to 8 characters (keepalived's auth_pass)", at: password.range)
            }
            switch kind.text.uppercased() {
            case "PASS": v.authentication = .password(password.text)
            case "AH": v.authentication = .ah(password.text)
            default: throw p.fail("unknown authentication type: expected PASS or AH", at: kind.range)
            }
            return .ok
        },
        Statement("VirtualMAC") { p, v in v.virtualMAC = try p.bool(); return .ok },
        Statement("GARPRepeat") { p, v in v.garpRepeat = try p.int(in: 1, 100); return .ok },
        Statement("GARPDelay") { p, v in v.garpDelay = try p.int(in: 0, 3600); return .ok },
        Statement("Notify") { p, v in v.notify.any = try p.stringValue(); return .ok },
        Statement("NotifyMaster") { p, v in v.notify.master = try p.stringValue(); return .ok },
        Statement("NotifyBackup") { p, v in v.notify.backup = try p.stringValue(); return .ok },
        Statement("NotifyFault") { p, v in v.notify.fault = try p.stringValue(); return .ok },
        Statement("NotifyStop") { p, v in v.notify.stop = try p.stringValue(); return .ok },
        Statement("Track") { p, v in
            v.tracks.append(try track(p))
            return .okNoNewline
        },
    ])

    /// What keepalived would refuse too, reported at the block so the user sees which instance.
    private static func validate(_ v: VRRPInstance, in p: ConfigParser, others: [VRRPInstance]) throws {
        guard v.interface != nil else { throw p.fail("VRRP: Interface statement is missing", at: v.range) }
        guard let vrid = v.virtualRouterID else {
            throw p.fail("VRRP: VirtualRouterID statement is missing", at: v.range)
        }
        guard !v.virtualAddresses.isEmpty else {
            throw p.fail("VRRP: VirtualAddress statement is missing", at: v.range)
        }
        if others.contains(where: { $0.virtualRouterID == vrid && $0.interface == v.interface }) {
            throw p.fail("VRRP: VirtualRouterID \(vrid) is already used on \(v.interface ?? "")", at: v.range)
        }
        if v.version == 2, let interval = v.advertInterval, interval > 255 {
            throw p.fail("VRRP: AdvertInterval is in seconds for version 2 (1..255)", at: v.range)
        }
        if v.version == 3, v.authentication != .none {
            throw p.fail("VRRP: Authentication exists only in version 2", at: v.range)
        }
        if v.unicastSource != nil, v.unicastPeers.isEmpty {
            throw p.fail("VRRP: UnicastSource needs Unicast peers", at: v.range)
        }
    }

    /// Listeners and services a Track names may come later in the file, so they are checked once
    /// the whole file is read.
    static func checkReferences(_ v: VRRPInstance, in config: PoundConfiguration, parser p: ConfigParser) throws {
        let services = config.listeners.flatMap(\.services) + config.services
        for track in v.tracks {
            switch track.signal {
            case .listener(let reference):
                let index = config.listeners.firstIndex { $0.name == reference }
                    ?? Int(reference).flatMap { config.listeners.indices.contains($0) ? $0 : nil }
                guard let index else {
                    throw p.fail("VRRP: Track Listener \"\(reference)\": no such listener", at: track.range)
                }
                // The check connects to the listener, which needs an address to connect to.
                guard case .inet = config.listeners[index].address else {
                    throw p.fail("VRRP: Track Listener needs a listener with an IP address", at: track.range)
                }
            case .backends(let service, _):
                guard services.contains(where: { $0.name == service }) else {
                    throw p.fail("VRRP: Track Backends \"\(service)\": no such service", at: track.range)
                }
            case .loopLag, .file, .script:
                break
            }
        }
    }

    /// One or more quoted IPv4 addresses (with `/prefix` where allowed) up to the end of the line.
    private static func addresses(_ p: ConfigParser, prefix: Bool, atMostOne: Bool = false) throws -> [VRRPAddress] {
        var list: [VRRPAddress] = []
        while true {
            let tok = try p.anyToken()
            switch tok.kind {
            case .newline, .endOfFile:
                guard !list.isEmpty else { throw p.fail("expected quoted string, but found end of line") }
                return list
            case .string, .literal, .number:
                guard !(atMostOne && list.count == 1) else { throw p.fail("unexpected \(tok.kind.description)") }
                guard let address = parseAddress(tok.text, allowPrefix: prefix) else {
                    throw p.fail(prefix ? "invalid IPv4 address or prefix (expected \"A.B.C.D[/N]\")"
                                        : "invalid IPv4 address", at: tok.range)
                }
                list.append(address)
            default:
                throw p.fail("expected quoted string, but found \(tok.kind.description)")
            }
        }
    }

    /// Dotted quad, optionally `/0..32`. IPv6 VRRPv3 is not supported, and the message says so.
    static func parseAddress(_ text: String, allowPrefix: Bool) -> VRRPAddress? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || (allowPrefix && parts.count == 2) else { return nil }
        var prefix = 32
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...32).contains(n) else { return nil }
            prefix = n
        }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for octet in octets {
            guard (1...3).contains(octet.count), octet.allSatisfy(\.isASCII), let n = UInt8(octet) else { return nil }
            bytes.append(n)
        }
        return VRRPAddress(octets: bytes, prefixLength: prefix)
    }

    /// `Track SIGNAL ARGS [Weight N] [Interval S] [Timeout S] [Fall N] [Rise N]`.
    private static func track(_ p: ConfigParser) throws -> VRRPTrack {
        let begin = p.lastRange?.begin ?? .unset
        let kind = try p.expect(.identifier)
        var track: VRRPTrack
        switch kind.text.lowercased() {
        case "listener":
            let tok = try p.expect([.string, .number])
            track = VRRPTrack(signal: .listener(tok.text))
        case "looplag":
            track = VRRPTrack(signal: .loopLag(milliseconds: try p.int(in: 1, 60_000)))
        case "backends":
            let service = try p.string()
            var minimum = 1
            let next = try p.anyToken()
            if next.kind == .number {
                guard let n = Int(next.text), n >= 1 else { throw p.fail("value out of allowed range (>= 1)", at: next.range) }
                minimum = n
            } else {
                p.putBack(next)
            }
            track = VRRPTrack(signal: .backends(service: service.text, minimum: minimum))
        case "file":
            track = VRRPTrack(signal: .file(try p.stringValue()))
        case "script":
            track = VRRPTrack(signal: .script(try p.stringValue()))
        default:
            throw p.fail("unknown Track signal: expected Listener, LoopLag, Backends, File or Script", at: kind.range)
        }
        var end = p.lastRange?.end ?? .unset
        while true {
            let tok = try p.anyToken()
            if tok.kind == .newline || tok.kind == .endOfFile { break }
            defer { end = p.lastRange?.end ?? end }
            guard tok.kind == .identifier else { throw p.fail("unexpected \(tok.kind.description)", at: tok.range) }
            switch tok.text.lowercased() {
            case "weight": track.weight = try signedInt(p, in: -253...253)
            case "interval": track.interval = try p.int(in: 1, 3600)
            case "timeout": track.timeout = try p.int(in: 1, 3600)
            case "fall": track.fall = try p.int(in: 1, 100)
            case "rise": track.rise = try p.int(in: 1, 100)
            default:
                throw p.fail("unknown Track option: expected Weight, Interval, Timeout, Fall or Rise", at: tok.range)
            }
        }
        track.range = LocusRange(begin: begin, end: end)
        return track
    }

    /// keepalived's weights are signed; the scanner reads `-20` as a literal, not a number.
    private static func signedInt(_ p: ConfigParser, in range: ClosedRange<Int>) throws -> Int {
        let tok = try p.expect(.unquoted)
        guard let n = Int(tok.text) else { throw p.fail("bad integer number", at: tok.range) }
        guard range.contains(n) else {
            throw p.fail("value out of allowed range (\(range.lowerBound)..\(range.upperBound))", at: tok.range)
        }
        return n
    }
}
