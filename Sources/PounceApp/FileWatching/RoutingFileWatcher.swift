import FileWatch
import PoundConfig
import RequestLog
import Routing

/// Pound's `watcher_setup`: a file watcher over the routing table's `-filewatch` files,
/// logging to the server's sink.
enum RoutingFileWatcher {
    /// The running watcher, or nil when no file is watched.
    static func start(_ routing: RoutingTable, config: PoundConfiguration, log: LogSink) -> FileWatcher? {
        let targets = routing.watchedFiles.map { content in
            WatchTarget(path: content.file.path, messagePrefix: content.file.messagePrefix,
                        reload: { try content.reload { log.log(.error, $0.description) } },
                        clear: { content.clear() })
        }
        guard !targets.isEmpty else { return nil }
        let watcher = FileWatcher(targets, pollInterval: config.watcherTTL) { priority, message in
            log.log(LogPriority(priority), message)
        }
        watcher.start()
        return watcher
    }
}

extension LogPriority {
    init(_ priority: WatchLogPriority) {
        switch priority {
        case .critical: self = .critical
        case .error: self = .error
        case .warning: self = .warning
        case .notice: self = .notice
        case .info: self = .info
        }
    }
}
