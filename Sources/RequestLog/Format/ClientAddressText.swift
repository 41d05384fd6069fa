/// `Anonymise`: Pound's `anon_ip` replaces whatever follows the last `.` (or, for an
/// address without dots, the last `:`) with `0`: `192.0.2.7` → `192.0.2.0`,
/// `2001:db8::7` → `2001:db8::0`. Text with neither (`socket`) is left alone.
enum ClientAddressText {
    static func appendAnonymised(_ address: String, to out: inout [UInt8]) {
        let utf8 = address.utf8
        guard let cut = utf8.lastIndex(of: UInt8(ascii: ".")) ?? utf8.lastIndex(of: UInt8(ascii: ":")) else {
            out.append(contentsOf: utf8)
            return
        }
        out.append(contentsOf: utf8[...cut])
        out.append(UInt8(ascii: "0"))
    }

    static func anonymised(_ address: String) -> String {
        var out: [UInt8] = []
        appendAnonymised(address, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
