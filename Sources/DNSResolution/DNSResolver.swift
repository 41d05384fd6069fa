import CCAresBridge
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Asynchronous DNS lookups on c-ares, off the event loops: one thread owns the
/// channel and waits on its sockets with poll; callers hand in lookups from any
/// thread and get the answer on the resolver's thread (hop to your event loop there).
public final class DNSResolver: Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    private struct Pending {
        var lookups: [(name: String, type: DNSRecordType, completion: @Sendable (DNSAnswer) -> Void)] = []
        var stopping = false
    }

    private let pending = Mutex(Pending())
    /// Written to wake the thread: a lookup to start, or stop.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// Starts the resolver thread. `servers` are "ip", "ip:port" or "[ipv6]:port"
    /// (nil: /etc/resolv.conf); each try waits `timeout` milliseconds, `tries` times.
    public init(servers: [String]? = nil, timeoutMilliseconds: Int = 2000, tries: Int = 3) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw StartError(description: "can't create the resolver's wake-up pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        var message = [CChar](repeating: 0, count: 256)
        let list = servers?.joined(separator: ",")
        let created = list.map { csv in
            csv.withCString { pounce_dns_create($0, Int32(clamping: timeoutMilliseconds), Int32(clamping: tries), &message, message.count) }
        } ?? pounce_dns_create(nil, Int32(clamping: timeoutMilliseconds), Int32(clamping: tries), &message, message.count)
        guard let channel = created else {
            close(fds[0])
            close(fds[1])
            throw StartError(description: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let thread = ResolverThread(channel: channel, wakeRead: fds[0])
        let started = try thread.start(owner: self)
        handle.withLock { $0 = started }
    }

    /// The thread, joined by `shutdown`.
    private let handle = Mutex<pthread_t?>(nil)

    deinit {
        close(wakeWrite)
    }

    /// Looks `name` up; `completion` runs once, on the resolver thread.
    public func lookup(_ name: String, _ type: DNSRecordType, completion: @escaping @Sendable (DNSAnswer) -> Void) {
        let accepted = pending.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.lookups.append((name, type, completion))
            return true
        }
        guard accepted else { return completion(DNSAnswer(.failure("resolver stopped"))) }
        wake()
    }

    /// Ends the thread: lookups still pending are answered `.failure`. Waits for it.
    /// The thread holds the resolver until then.
    public func shutdown() {
        pending.withLock { $0.stopping = true }
        wake()
        guard let thread = handle.withLock({ h -> pthread_t? in defer { h = nil }; return h }) else { return }
        pthread_join(thread, nil)
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: the resolver thread

    fileprivate func take() -> (lookups: [(name: String, type: DNSRecordType, completion: @Sendable (DNSAnswer) -> Void)], stopping: Bool) {
        pending.withLock { state in
            defer { state.lookups = [] }
            return (state.lookups, state.stopping)
        }
    }

    fileprivate func threadEnded() {
        close(wakeRead)
    }
}

/// The thread and its channel; only ever touched by that thread once started.
private final class ResolverThread: @unchecked Sendable {
    let channel: OpaquePointer
    let wakeRead: Int32

    init(channel: OpaquePointer, wakeRead: Int32) {
        self.channel = channel
        self.wakeRead = wakeRead
    }

    func start(owner: DNSResolver) throws -> pthread_t {
        let box = Unmanaged.passRetained(Context(thread: self, owner: owner)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            guard let raw else { return nil }
            let context = Unmanaged<Context>.fromOpaque(raw).takeRetainedValue()
            context.thread.run(context.owner)
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Context>.fromOpaque(box).release()
            throw DNSResolver.StartError(description: "can't start the resolver thread: \(String(cString: strerror(rc)))")
        }
        return handle
    }

    final class Context {
        let thread: ResolverThread
        let owner: DNSResolver
        init(thread: ResolverThread, owner: DNSResolver) {
            self.thread = thread
            self.owner = owner
        }
    }

    /// A lookup's completion, kept alive while c-ares holds its pointer.
    final class Completion {
        let type: DNSRecordType
        let deliver: @Sendable (DNSAnswer) -> Void
        init(_ type: DNSRecordType, _ deliver: @escaping @Sendable (DNSAnswer) -> Void) {
            self.type = type
            self.deliver = deliver
        }
    }

    func run(_ owner: DNSResolver) {
        while true {
            let (lookups, stopping) = owner.take()
            if stopping {
                for lookup in lookups { lookup.completion(DNSAnswer(.failure("resolver stopped"))) }
                // Pending lookups end with POUNCE_DNS_FAILURE through their callbacks.
                pounce_dns_destroy(channel)
                owner.threadEnded()
                return
            }
            for lookup in lookups {
                let completion = Unmanaged.passRetained(Completion(lookup.type, lookup.completion)).toOpaque()
                lookup.name.withCString { name in
                    pounce_dns_query(channel, name, lookup.type.rawValue, { context, answer in
                        guard let context, let answer else { return }
                        let completion = Unmanaged<Completion>.fromOpaque(context).takeRetainedValue()
                        completion.deliver(ResolverThread.answer(answer.pointee, completion.type))
                    }, completion)
                }
            }
            _ = pounce_dns_wait(channel, wakeRead, 1000)
        }
    }

    static func answer(_ raw: pounce_dns_answer, _ type: DNSRecordType) -> DNSAnswer {
        let message = raw.message.map { String(cString: $0) } ?? ""
        switch Int(raw.status) {
        case POUNCE_DNS_NOT_FOUND:
            return DNSAnswer(.notFound)
        case POUNCE_DNS_TEMPORARY:
            return DNSAnswer(.temporaryFailure(message))
        case POUNCE_DNS_OK:
            break
        default:
            return DNSAnswer(.failure(message))
        }
        let records = UnsafeBufferPointer(start: raw.records, count: Int(max(raw.count, 0)))
        guard !records.isEmpty else { return DNSAnswer(.notFound) }
        func text<T>(_ tuple: T) -> String {
            withUnsafeBytes(of: tuple) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        if type != .srv {
            return DNSAnswer(.addresses(records.map { text($0.address) }), ttl: raw.ttl)
        }
        return DNSAnswer(.services(records.map {
            ServiceRecord(priority: $0.priority, weight: $0.weight, port: $0.port, target: text($0.target))
        }), ttl: raw.ttl)
    }
}
