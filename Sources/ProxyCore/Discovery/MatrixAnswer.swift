import DNSResolution
import PoundConfig
import Routing

/// What one round of lookups for a matrix (a backend with `Resolve first|all|srv`)
/// means for its backends, decided from the DNS answers alone (Pound's `dynbe.c`).
enum MatrixAnswer: Equatable {
    /// These backends, until the answer expires in `ttl` seconds.
    case backends([DynamicBackendAddress], ttl: Int)
    /// The name (or every SRV target) does not exist: no backends; ask again after
    /// the retry interval.
    case notFound
    /// No usable answer now: keep the backends there are; ask again after the retry
    /// interval.
    case keep(reason: String)

    /// The settings of a matrix that shape its backends.
    struct Matrix: Equatable {
        var mode: Backend.ResolveMode
        var family: Backend.AddressFamily
        var port: Int
        /// The matrix's own `Priority`.
        var priority: Int
        /// Its balancer group: 0, or 65535 for an `Emergency` matrix.
        var groupWeight: Int
        var ignoreSRVWeight: Bool

        init(_ server: Backend.Server, priority: Int, groupWeight: Int) {
            mode = server.resolveMode
            family = server.family
            port = server.effectivePort
            self.priority = priority
            self.groupWeight = groupWeight
            ignoreSRVWeight = server.ignoreSRVWeight
        }

        init(mode: Backend.ResolveMode, family: Backend.AddressFamily = .inet, port: Int = 80, priority: Int = 5,
             groupWeight: Int = 0, ignoreSRVWeight: Bool = false) {
            self.mode = mode
            self.family = family
            self.port = port
            self.priority = priority
            self.groupWeight = groupWeight
            self.ignoreSRVWeight = ignoreSRVWeight
        }

        /// The record types to ask for a name's addresses: IPv4 before IPv6 for `any`.
        var addressTypes: [DNSRecordType] {
            switch family {
            case .inet: [.a]
            case .inet6: [.aaaa]
            case .any, .unix: [.a, .aaaa]
            }
        }
    }

    /// `Resolve first|all`: the answers for `addressTypes`, in that order.
    static func addresses(_ answers: [DNSAnswer], matrix: Matrix) -> MatrixAnswer {
        switch merge(answers) {
        case .found(var hosts, let ttl):
            if matrix.mode == .first { hosts = Array(hosts.prefix(1)) }
            return .backends(hosts.map {
                DynamicBackendAddress(host: $0, port: matrix.port, groupWeight: matrix.groupWeight,
                                      priority: matrix.priority)
            }, ttl: ttl)
        case .notFound:
            return .notFound
        case .failed(let reason):
            return .keep(reason: reason)
        }
    }

    /// `Resolve srv`: the SRV answer and, for each target, its address answers. Each
    /// record's priority is its backends' balancer group; its weight their priority,
    /// 1 when every record of its priority weighs 0, the matrix's own with
    /// `IgnoreSRVWeight`. A target that does not resolve brings no backends; one
    /// whose lookup failed keeps the whole set as it is.
    static func services(_ answer: DNSAnswer, targets: [String: [DNSAnswer]], matrix: Matrix) -> MatrixAnswer {
        let records: [ServiceRecord]
        switch answer.outcome {
        case .services(let found): records = found
        case .notFound, .addresses: return .notFound
        case .temporaryFailure(let reason), .failure(let reason): return .keep(reason: reason)
        }
        // RFC 2782 order: priority ascending, then weight descending.
        let sorted = records.enumerated().sorted {
            ($0.element.priority, -Int($0.element.weight), $0.offset)
                < ($1.element.priority, -Int($1.element.weight), $1.offset)
        }.map(\.element)
        var maxWeight: [UInt16: UInt16] = [:]
        for r in sorted { maxWeight[r.priority] = max(maxWeight[r.priority] ?? 0, r.weight) }
        var ttl = Int(answer.ttl)
        var backends: [DynamicBackendAddress] = []
        for r in sorted {
            switch merge(targets[r.target] ?? []) {
            case .found(let hosts, let hostTTL):
                ttl = min(ttl, hostTTL)
                let priority = matrix.ignoreSRVWeight ? matrix.priority
                    : (maxWeight[r.priority] == 0 ? 1 : Int(r.weight))
                backends += hosts.map {
                    DynamicBackendAddress(host: $0, port: Int(r.port), groupWeight: Int(r.priority), priority: priority)
                }
            case .notFound:
                continue
            case .failed(let reason):
                return .keep(reason: "\(r.target): \(reason)")
            }
        }
        return .backends(backends, ttl: ttl)
    }

    /// Seconds until the next lookup: `OverrideTTL`, else the answer's TTL, at least 1;
    /// the retry interval after a failure or an empty answer.
    func delay(overrideTTL: Int?, retryInterval: Int) -> Int {
        switch self {
        case .backends(let list, let ttl):
            if list.isEmpty { return max(retryInterval, 1) }
            return max(overrideTTL ?? ttl, 1)
        case .notFound, .keep:
            return max(retryInterval, 1)
        }
    }

    private enum Merged {
        case found([String], ttl: Int)
        case notFound
        case failed(String)
    }

    /// The addresses of one name over its record types: found if any type has
    /// addresses and none failed; a failure of either type keeps the last set (rather
    /// than drop half of the addresses).
    private static func merge(_ answers: [DNSAnswer]) -> Merged {
        var hosts: [String] = []
        var ttl = Int.max
        for answer in answers {
            switch answer.outcome {
            case .addresses(let list):
                hosts += list
                ttl = min(ttl, Int(answer.ttl))
            case .notFound, .services:
                continue
            case .temporaryFailure(let reason), .failure(let reason):
                return .failed(reason)
            }
        }
        return hosts.isEmpty ? .notFound : .found(hosts, ttl: ttl)
    }
}

extension MatrixAnswer: CustomStringConvertible {
    /// For `Resolver` `Debug`: `2 backends (127.0.0.1:80 group 0 priority 5, ...), TTL 30`.
    var description: String {
        switch self {
        case .backends(let list, let ttl):
            let items = list.map { "\($0.host):\($0.port) group \($0.groupWeight) priority \($0.priority)" }
            return "\(list.count) backend\(list.count == 1 ? "" : "s") (\(items.joined(separator: ", "))), TTL \(ttl)"
        case .notFound:
            return "not found"
        case .keep(let reason):
            return "no answer (\(reason)), backends kept"
        }
    }
}
