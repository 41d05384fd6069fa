import Foundation
import Testing
@testable import VRRP

/// Every VRRP packet the rig captured from keepalived 2.2.7 (../shared/rigs/vrrp/captures), read at
/// test time: decoded fields must match the decoder's JSON, and re-encoding must give the same bytes.
@Suite struct CaptureVectorTests {
    static let capturesDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/rigs/vrrp/captures").standardizedFileURL

    static var vectorFiles: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: capturesDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".vectors.json") }.sorted().map { capturesDirectory.appendingPathComponent($0) }
    }

    @Test(.enabled(if: !vectorFiles.isEmpty, "../shared/rigs/vrrp/captures is not present"))
    func capturesCoverEveryVariant() {
        let names = Self.vectorFiles.map(\.lastPathComponent)
        for variant in ["keepalived-v2.", "keepalived-v2-auth-pass.", "keepalived-v2-auth-ah.", "keepalived-v3.",
                        "keepalived-v3-unicast."] {
            #expect(names.contains { $0.hasPrefix(variant) }, "missing \(variant)")
        }
    }

    @Test(.enabled(if: !vectorFiles.isEmpty, "../shared/rigs/vrrp/captures is not present"), arguments: vectorFiles)
    func everyCapturedPacket(file: URL) throws {
        let data = try Data(contentsOf: file)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let packets = try #require(root["packets"] as? [[String: Any]])
        var checked = 0
        for entry in packets where entry["kind"] as? String == "vrrp" {
            try check(entry, in: file.lastPathComponent)
            checked += 1
        }
        #expect(checked > 0)
    }

    private func check(_ entry: [String: Any], in file: String) throws {
        let frame = entry["frame"] as? Int ?? -1
        let where_ = "\(file) frame \(frame)"
        let ipBytes = hexBytes(try #require(entry["ip_hex"] as? String))
        let v = try #require(entry["vrrp"] as? [String: Any])
        let datagram = try ipBytes.withUnsafeBytes { try VRRPDatagram.parse($0) }

        #expect(datagram.source == IPv4Address(try #require(entry["ip_src"] as? String)), "\(where_)")
        #expect(datagram.destination == IPv4Address(try #require(entry["ip_dst"] as? String)), "\(where_)")
        #expect(Int(datagram.timeToLive) == entry["ttl"] as? Int, "\(where_)")
        #expect(Int(datagram.typeOfService) == entry["ip_tos"] as? Int, "\(where_)")
        #expect(datagram.headerChecksumValid == (entry["ip_hdr_checksum_ok"] as? Bool), "\(where_)")

        if let ah = entry["ah"] as? [String: Any] {
            let header = try #require(datagram.authenticationHeader, "\(where_)")
            #expect("0x" + String(header.spi, radix: 16, uppercase: false).leftPadded(8) == ah["spi"] as? String,
                    "\(where_)")
            #expect(Int(header.sequence) == ah["seq"] as? Int, "\(where_)")
            #expect(hexString(header.icv) == ah["icv_hex"] as? String, "\(where_)")
            #expect(header.encodedLength == ah["length_bytes"] as? Int, "\(where_)")
            // Every AH capture uses auth_pass "rigpass1" (see the .keepalived.conf next to it).
            let icv = VRRPAuthenticationHeader.keepalivedICV(
                packet: ipBytes, password: Array("rigpass1".utf8), zeroTimeToLive: entry["unicast"] as? Bool == true)
            #expect(hexString(icv) == ah["icv_computed_hex"] as? String, "\(where_)")
        } else {
            #expect(datagram.authenticationHeader == nil, "\(where_)")
        }

        let vrrpBytes = Array(ipBytes[datagram.vrrpRange])
        #expect(hexString(vrrpBytes) == v["vrrp_hex"] as? String, "\(where_)")
        // The rig's decoder judged every captured packet good; ours must accept them all.
        #expect(v["checksum_ok"] as? Bool == true, "\(where_)")
        let packet = try VRRPPacket.decode(vrrpBytes, source: datagram.source, destination: datagram.destination)

        #expect(Int(packet.version.rawValue) == v["version"] as? Int, "\(where_)")
        #expect(Int(packet.type) == v["type"] as? Int, "\(where_)")
        #expect(Int(packet.virtualRouterID) == v["vrid"] as? Int, "\(where_)")
        #expect(Int(packet.priority) == v["priority"] as? Int, "\(where_)")
        #expect(packet.addresses.count == v["count"] as? Int, "\(where_)")
        #expect(packet.addresses.map(\.description) == v["addresses"] as? [String], "\(where_)")
        #expect("0x" + String(packet.checksum, radix: 16).leftPadded(4) == v["checksum"] as? String, "\(where_)")
        switch packet.version {
        case .v2:
            #expect(Int(packet.advertInterval) == v["advert_int_s"] as? Int, "\(where_)")
            #expect(Int(packet.authentication.type) == v["auth_type"] as? Int, "\(where_)")
            #expect(hexString(packet.authentication.wireData) == v["auth_data_hex"] as? String, "\(where_)")
            if case .simple(let password) = packet.authentication {
                #expect(String(decoding: password, as: UTF8.self) == v["auth_data_text"] as? String, "\(where_)")
            }
            #expect((datagram.authenticationHeader != nil) == (packet.authentication.type == 2), "\(where_)")
        case .v3:
            #expect(Int(packet.advertInterval) == v["max_advert_int_cs"] as? Int, "\(where_)")
        }

        // Both checksum flavours the decoder reports, computed independently of the packet's own.
        let plain = vrrpBytes.withUnsafeBytes {
            VRRPPacket.computeChecksum(version: .v2, message: $0, source: datagram.source, destination: datagram.destination)
        }
        let pseudo = vrrpBytes.withUnsafeBytes {
            VRRPPacket.computeChecksum(version: .v3, message: $0, source: datagram.source, destination: datagram.destination)
        }
        #expect("0x" + String(plain, radix: 16).leftPadded(4) == v["checksum_plain"] as? String, "\(where_)")
        #expect("0x" + String(pseudo, radix: 16).leftPadded(4) == v["checksum_pseudo"] as? String, "\(where_)")

        #expect(packet.encode(source: datagram.source, destination: datagram.destination) == vrrpBytes, "\(where_)")

        // The whole IP packet, AH and its ICV included, rebuilt from the decoded values.
        let ah = datagram.authenticationHeader.map {
            VRRPDatagram.AHParameters(spi: $0.spi, sequence: $0.sequence, password: Array("rigpass1".utf8),
                                      unicast: entry["unicast"] as? Bool == true)
        }
        let rebuilt = VRRPDatagram.encode(
            vrrp: packet.encode(source: datagram.source, destination: datagram.destination),
            source: datagram.source, destination: datagram.destination, identification: datagram.identification,
            typeOfService: datagram.typeOfService, timeToLive: datagram.timeToLive, authentication: ah)
        #expect(rebuilt == ipBytes, "\(where_)")
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
