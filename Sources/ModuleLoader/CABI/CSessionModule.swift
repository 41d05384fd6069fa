import CPounceModuleABI
import PounceModuleAPI

/// A C module's session type seen as a `SessionModule`: one C instance per `Session`
/// block, created here and destroyed with the adapter.
final class CSessionModule: SessionModule, @unchecked Sendable {
    /// Pound keeps at most 127 bytes of a session key; the module writes into a
    /// buffer one larger so it can NUL-terminate if it likes.
    static let keyBufferSize = 128

    private let type: CSessionType
    // Immutable after init; the C module promises thread-safe instances.
    private let instance: UnsafeMutableRawPointer?

    init(type: CSessionType, settings: SessionSettings) throws {
        self.type = type
        guard let create = type.table.create else {
            instance = nil
            return
        }
        let ttl = Int32(clamping: settings.ttl)
        instance = try createCInstance(module: type.module, kind: .sessionType, type: type.name) { error, size in
            if let id = settings.id {
                return id.withCString { create($0, ttl, error, size) }
            }
            return create(nil, ttl, error, size)
        }
    }

    deinit {
        if let instance, let destroy = type.table.destroy { destroy(instance) }
    }

    func key(for request: some ModuleRequest) -> String? {
        guard let requestKey = type.table.request_key else { return nil }
        return CMessageBridge.withRequest(request) { cRequest in
            Self.readKey { requestKey(instance, cRequest, $0, $1) }
        }
    }

    func key(learnedFrom response: some ModuleResponse, request: some ModuleRequest) -> String? {
        guard let responseKey = type.table.response_key else { return nil }
        return CMessageBridge.withRequest(request) { cRequest in
            CMessageBridge.withResponse(response) { cResponse in
                Self.readKey { responseKey(instance, cResponse, cRequest, $0, $1) }
            }
        }
    }

    /// Calls `write` with a key buffer; its result is the key's length or -1. Also
    /// reads the backend tags of client-affinity types (`CAffinityModule`).
    static func readKey(_ write: (UnsafeMutablePointer<CChar>?, Int) -> Int) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: keyBufferSize) { buffer in
            let length = write(buffer.baseAddress, buffer.count)
            guard length >= 0 else { return nil }
            let kept = min(length, keyBufferSize - 1)
            return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[..<kept])
                .withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self) }
        }
    }
}
