#if canImport(Glibc)
import Glibc
#endif

/// The watcher thread's state and loop. Only that thread touches it once started.
///
/// Pound watches a file itself while it exists and its directory while it does not
/// (fsevmon.c). Here each file's directory is watched all the time, which sees
/// creation, removal, renames over the file and writes alike; a watch on the file
/// itself is added too, so that a symbolic link's target is followed. Events are not
/// acted on one by one: a file with events waits until they settle and then its state
/// decides, so that the burst of events from one `cp` or `sed -i` gives one reload.
/// Files whose directory can't be watched (or all of them, without inotify) are
/// polled every `pollInterval` with stat, as Pound's periodic watcher does.
final class WatchLoop {
    /// How long after an event the file is looked at: the rest of the burst is in by then.
    static let settleDelay: UInt64 = 20_000_000
    /// A new file is usually written right after it is created: wait for the close
    /// (IN_CLOSE_WRITE), or this long at most, before reading it.
    static let creationGrace: UInt64 = 500_000_000

    private struct File {
        let target: WatchTarget
        let directory: String
        let name: String
        /// nil while the file does not exist.
        var fingerprint: FileFingerprint?
        var polling = false
        var nextPoll: UInt64 = 0
        /// A check is due at this time because of events.
        var due: UInt64?
        /// The events said the content was written: reload even if stat sees no change.
        var written = false
        /// The watch on the file itself (its current inode).
        var fileWatch: Int32?
    }

    private struct Directory {
        let path: String
        var files: [Int]
    }

    private var files: [File] = []
    private var inotify: Inotify?
    private var directories: [Int32: Directory] = [:]
    private var fileWatches: [Int32: Set<Int>] = [:]
    private let pollInterval: UInt64
    private let log: @Sendable (WatchLogPriority, String) -> Void
    private let wakeFD: Int32

    private static let directoryMask = Inotify.closeWrite | Inotify.create | Inotify.movedTo | Inotify.movedFrom
        | Inotify.delete | Inotify.deleteSelf | Inotify.moveSelf | Inotify.onlyDirectory
    // Added to whatever the inode is already watched for (it may be a watched directory).
    private static let fileMask = Inotify.closeWrite | Inotify.moveSelf | Inotify.deleteSelf | Inotify.maskAdd

    /// Installs the watches (so that no change made after this returns is missed) and
    /// notes what each file looks like now.
    init(targets: [WatchTarget], mode: WatchMode, pollInterval seconds: Int, wakeFD: Int32,
         log: @escaping @Sendable (WatchLogPriority, String) -> Void) {
        self.pollInterval = UInt64(max(seconds, 1)) * 1_000_000_000
        self.log = log
        self.wakeFD = wakeFD
        let now = MonotonicClock.now()
        for target in targets {
            let (directory, name) = Self.split(target.path)
            var file = File(target: target, directory: directory, name: name)
            if case .present(let fp) = FileFingerprint.probe(target.path) { file.fingerprint = fp }
            file.nextPoll = now + pollInterval
            files.append(file)
        }
        if mode == .automatic {
            switch Inotify.open() {
            case .success(let i):
                inotify = i
            case .failure(let e):
                log(.critical, "inotify_init: \(e)")
            }
        }
        for i in files.indices {
            guard let inotify, let wd = inotify.addWatch(files[i].directory, mask: Self.directoryMask) else {
                files[i].polling = true
                continue
            }
            directories[wd, default: Directory(path: files[i].directory, files: [])].files.append(i)
            refreshFileWatch(i)
        }
    }

    /// `DIR/NAME` split at the last slash (`.` for a bare name, `/` for the root).
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// Runs until a byte arrives on the wake descriptor.
    func run() {
        defer { inotify?.close() }
        while true {
            var fds = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
            if let inotify { fds.append(pollfd(fd: inotify.fd, events: Int16(POLLIN), revents: 0)) }
            let rc = poll(&fds, nfds_t(fds.count), timeout())
            if rc < 0 && errno != EINTR {
                log(.critical, "poll failed: \(SystemErrno(errno))")
                return
            }
            if fds[0].revents != 0 { return }
            if fds.count > 1 && fds[1].revents != 0 { drain() }
            runDueChecks()
        }
    }

    /// Milliseconds to the next due check or poll, -1 for none.
    private func timeout() -> Int32 {
        var next: UInt64?
        for f in files {
            if let d = f.due { next = min(next ?? d, d) }
            if f.polling { next = min(next ?? f.nextPoll, f.nextPoll) }
        }
        guard let next else { return -1 }
        let now = MonotonicClock.now()
        if next <= now { return 0 }
        return Int32(clamping: (next - now + 999_999) / 1_000_000)
    }

    // MARK: - Events

    private func drain() {
        guard let inotify else { return }
        while true {
            switch inotify.read() {
            case .empty:
                return
            case .events(let events):
                for event in events { handle(event) }
            case .failed(let e):
                log(.critical, "inotify read failed: \(SystemErrno(e))")
                abandonInotify()
                return
            }
        }
    }

    private func handle(_ event: Inotify.Event) {
        let now = MonotonicClock.now()
        if event.mask & Inotify.overflow != 0 {
            log(.notice, "event queue overflow")
            for i in files.indices where !files[i].polling {
                schedule(i, at: now + Self.settleDelay, written: false)
            }
            return
        }
        if let directory = directories[event.wd] {
            if event.mask & (Inotify.ignored | Inotify.deleteSelf | Inotify.moveSelf) != 0 {
                directoryGone(event.wd, directory, kernelRemoved: event.mask & Inotify.ignored != 0)
                return
            }
            guard let name = event.name else { return }
            for i in directory.files where files[i].name == name {
                if event.mask & Inotify.create != 0 {
                    // Leave an earlier, sooner check alone (e.g. a delete just before).
                    if files[i].due == nil { schedule(i, at: now + Self.creationGrace, written: true) }
                } else {
                    schedule(i, at: now + Self.settleDelay, written: true)
                }
            }
        }
        if let watchers = fileWatches[event.wd] {
            if event.mask & Inotify.ignored != 0 {
                // The kernel dropped the watch (the inode is gone).
                fileWatches[event.wd] = nil
                for i in watchers where files[i].fileWatch == event.wd { files[i].fileWatch = nil }
            }
            for i in watchers { schedule(i, at: now + Self.settleDelay, written: true) }
        }
    }

    private func schedule(_ i: Int, at time: UInt64, written: Bool) {
        files[i].due = min(files[i].due ?? time, time)
        files[i].written = files[i].written || written
    }

    /// Pound's "directory removed": its files can only be polled from now on.
    private func directoryGone(_ wd: Int32, _ directory: Directory, kernelRemoved: Bool) {
        directories[wd] = nil
        if !kernelRemoved { inotify?.removeWatch(wd) }
        log(.notice, "\(directory.path): directory removed")
        let now = MonotonicClock.now()
        for i in directory.files {
            files[i].polling = true
            files[i].due = nil
            files[i].written = false
            if let wd = files[i].fileWatch { detach(i, from: wd) }
            // Look at once: the file most likely went with its directory.
            files[i].nextPoll = now
        }
    }

    private func abandonInotify() {
        inotify?.close()
        inotify = nil
        directories = [:]
        fileWatches = [:]
        let now = MonotonicClock.now()
        for i in files.indices where !files[i].polling {
            files[i].polling = true
            files[i].fileWatch = nil
            files[i].due = nil
            files[i].nextPoll = now
        }
    }

    // MARK: - Checks

    private func runDueChecks() {
        let now = MonotonicClock.now()
        for i in files.indices {
            if let due = files[i].due, due <= now {
                let written = files[i].written
                files[i].due = nil
                files[i].written = false
                check(i, reloadUnchanged: written)
            }
            if files[i].polling && files[i].nextPoll <= now {
                files[i].nextPoll = now + pollInterval
                check(i, reloadUnchanged: false)
            }
        }
    }

    /// Brings the content in line with the file: cleared when it is gone, read again
    /// when it came back or changed.
    private func check(_ i: Int, reloadUnchanged: Bool) {
        let target = files[i].target
        let previous = files[i].fingerprint
        var current: FileFingerprint?
        switch FileFingerprint.probe(target.path) {
        case .present(let fp):
            current = fp
        case .missing:
            break
        case .failed(let e):
            // Pound's periodic watcher: a file it can't stat counts as gone.
            log(.error, "\(target.messagePrefix): can't stat: \(SystemErrno(e))")
        }
        files[i].fingerprint = current
        if !files[i].polling { refreshFileWatch(i) }
        guard let current else {
            if previous != nil {
                log(.info, "\(target.messagePrefix): file removed")
                target.clear()
                log(.info, "\(target.messagePrefix): content cleared")
            }
            return
        }
        if previous == nil {
            log(.info, "\(target.messagePrefix): file restored")
        } else if previous == current && !reloadUnchanged {
            return
        }
        do {
            try target.reload()
            log(.info, "\(target.messagePrefix): file reloaded")
        } catch {
            // Pound empties the object before reading it, so a failed read leaves it empty.
            target.clear()
            log(.error, "\(target.messagePrefix): can't open file: \(error)")
        }
    }

    /// Points the file's own watch at the inode the path names now.
    private func refreshFileWatch(_ i: Int) {
        guard let inotify else { return }
        let wd = files[i].fingerprint == nil ? nil : inotify.addWatch(files[i].target.path, mask: Self.fileMask)
        let old = files[i].fileWatch
        guard wd != old else { return }
        if let old { detach(i, from: old) }
        if let wd { fileWatches[wd, default: []].insert(i) }
        files[i].fileWatch = wd
    }

    private func detach(_ i: Int, from wd: Int32) {
        files[i].fileWatch = nil
        guard var watchers = fileWatches[wd] else { return }
        watchers.remove(i)
        if watchers.isEmpty {
            fileWatches[wd] = nil
            // The same inode may be a watched directory too (a link to it): keep that.
            if directories[wd] == nil { inotify?.removeWatch(wd) }
        } else {
            fileWatches[wd] = watchers
        }
    }
}
