/// A status as one line of text, for a supervisor to hand its instances' state to the
/// worker that answers the control API, the status page and the metrics. Fields are
/// separated by spaces; the name and the interface, which may hold anything, travel as
/// the hex of their UTF-8 bytes.
extension VRRPStatus {
    public var text: String {
        let addresses = virtualAddresses.isEmpty ? "-"
            : virtualAddresses.map { "\($0.address)/\($0.prefixLength)" }.joined(separator: ",")
        return [
            Self.hex(name), Self.hex(interface), String(virtualRouterID), String(version.rawValue), state.rawValue,
            String(basePriority), String(effectivePriority), masterAddress.map { "\($0)" } ?? "-", addresses,
            holdsAddresses ? "1" : "0", String(lastTransition), String(transitions), String(advertsSent),
            String(advertsReceived), String(packetsDiscarded),
        ].joined(separator: " ")
    }

    /// The status `text` wrote; nil for anything else.
    public init?(text: Substring) {
        let f = text.split(separator: " ", omittingEmptySubsequences: false)
        guard f.count == 15, let name = Self.unhex(f[0]), let interface = Self.unhex(f[1]),
              let vrid = UInt8(f[2]), let versionNumber = UInt8(f[3]), let version = VRRPVersion(rawValue: versionNumber),
              let state = VRRPState(rawValue: String(f[4])), let base = UInt8(f[5]), let effective = UInt8(f[6]),
              let lastTransition = Double(f[10]), let transitions = Int(f[11]), let sent = Int(f[12]),
              let received = Int(f[13]), let discarded = Int(f[14]), f[9] == "0" || f[9] == "1"
        else { return nil }
        var master: IPv4Address?
        if f[7] != "-" {
            guard let address = IPv4Address(f[7]) else { return nil }
            master = address
        }
        var addresses: [VRRPVirtualAddress] = []
        if f[8] != "-" {
            for item in f[8].split(separator: ",") {
                let parts = item.split(separator: "/")
                guard parts.count == 2, let address = IPv4Address(parts[0]), let prefix = UInt8(parts[1]), prefix <= 32
                else { return nil }
                addresses.append(VRRPVirtualAddress(address: address, prefixLength: prefix))
            }
        }
        self.init(settings: VRRPRouterSettings(name: name, interface: interface, version: version,
                                               virtualRouterID: vrid, priority: base, advertInterval: 100,
                                               virtualAddresses: addresses))
        self.state = state
        self.effectivePriority = effective
        self.masterAddress = master
        self.holdsAddresses = f[9] == "1"
        self.lastTransition = lastTransition
        self.transitions = transitions
        self.advertsSent = sent
        self.advertsReceived = received
        self.packetsDiscarded = discarded
    }

    private static func hex(_ text: String) -> String {
        guard !text.isEmpty else { return "-" }
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 { out += [digits[Int(byte >> 4)], digits[Int(byte & 0xf)]] }
        return String(decoding: out, as: UTF8.self)
    }

    private static func unhex(_ text: Substring) -> String? {
        if text == "-" { return "" }
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var i = 0
        while i < digits.count {
            guard let byte = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
            i += 2
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
