#if canImport(Glibc)
import Glibc
#endif
import CPounceModuleABI
import PounceModuleAPI

/// A C module's balancer seen as a `BalancerModule`: one C instance per balancer
/// group, created here and destroyed with the adapter.
final class CBalancerModule: BalancerModule, @unchecked Sendable {
    private let type: CBalancerType
    // Immutable after init; the C module promises thread-safe instances.
    private let instance: UnsafeMutableRawPointer?

    init(type: CBalancerType, setup: BalancerSetup) throws {
        self.type = type
        guard let create = type.table.create else {
            instance = nil
            return
        }
        // The addresses are NUL-terminated copies, valid for the call only.
        let addresses: [UnsafeMutablePointer<CChar>?] = setup.backends.map { strdup($0.address) }
        defer { addresses.forEach { free($0) } }
        let constAddresses = addresses.map { $0.map { UnsafePointer($0) } }
        let weights = setup.backends.map { Int32(clamping: $0.weight) }
        instance = try createCInstance(module: type.module, kind: .balancer, type: type.name) { error, size in
            constAddresses.withUnsafeBufferPointer { a in
                weights.withUnsafeBufferPointer { w in create(a.count, a.baseAddress, w.baseAddress, error, size) }
            }
        }
    }

    deinit {
        if let instance, let destroy = type.table.destroy { destroy(instance) }
    }

    func choose(usable: UnsafeBufferPointer<Bool>, key: String?) -> Int? {
        guard let choose = type.table.choose else { return nil }
        // Swift's Bool is one byte holding 0 or 1, the C side's `unsigned char`.
        let index = usable.withMemoryRebound(to: UInt8.self) { flags -> Int in
            guard var key else { return choose(instance, flags.baseAddress, flags.count, nil, 0) }
            return key.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { choose(instance, flags.baseAddress, flags.count, $0.baseAddress, $0.count) }
            }
        }
        // A module's answer is not trusted: out of range or unusable means none.
        guard index >= 0, index < usable.count, usable[index] else { return nil }
        return index
    }
}
