import NIOCore
import PoundConfig
import ProxyCore
import RequestLog
import VRRP
#if canImport(Glibc)
import Glibc
#endif

/// Runs one VRRP instance's `Track` checks on the VRRP side's own event loop and reports the
/// priority and FAULT flag they add up to (keepalived's track_script, over the proxy's own health).
/// Each check is rescheduled only after the previous run ended, so a slow script never overlaps itself.
final class SelfHealthTracker: Sendable {
    private let instance: VRRPInstance
    private let health: any ProxyHealth
    private let loop: EventLoop
    private let log: LogSink
    private let tracking: NIOLoopBoundBox<VRRPTracking>
    private let tasks: NIOLoopBoundBox<[RepeatedTask]>
    /// Set by a supervisor that cannot keep a worker running: FAULT whatever the checks say.
    private let workerFault: NIOLoopBoundBox<Bool>
    private let report: @Sendable (_ priority: UInt8, _ fault: Bool) -> Void
    /// What the checks add up to before any has run: every signal starts healthy.
    let initialPriority: UInt8

    init(instance: VRRPInstance, health: any ProxyHealth, loop: EventLoop, log: LogSink,
         report: @escaping @Sendable (_ priority: UInt8, _ fault: Bool) -> Void) {
        self.instance = instance
        self.health = health
        self.loop = loop
        self.log = log
        self.report = report
        let signals = instance.tracks.map { VRRPTracking.Signal(weight: $0.weight, fall: $0.fall, rise: $0.rise) }
        let tracking = VRRPTracking(basePriority: UInt8(clamping: instance.priority), signals: signals)
        self.initialPriority = tracking.effectivePriority
        self.tracking = NIOLoopBoundBox.makeBoxSendingValue(tracking, eventLoop: loop)
        self.tasks = NIOLoopBoundBox.makeBoxSendingValue([], eventLoop: loop)
        self.workerFault = NIOLoopBoundBox.makeBoxSendingValue(false, eventLoop: loop)
    }

    func start() {
        loop.execute { [self] in
            tasks.value = instance.tracks.enumerated().map { index, track in
                loop.scheduleRepeatedAsyncTask(initialDelay: .zero, delay: .seconds(Int64(track.interval))) { [self] _ in
                    check(track).map { success in self.record(index, success: success) }
                }
            }
        }
    }

    func stop() {
        try? loop.submit { [self] in
            for task in tasks.value { task.cancel() }
            tasks.value = []
        }.wait()
    }

    func setWorkerFault(_ fault: Bool) {
        loop.execute { [self] in
            guard workerFault.value != fault else { return }
            workerFault.value = fault
            log.log(.notice, "VRRP_Instance(\(instance.name)) " + (fault ? "no worker can be kept running, FAULT"
                                                                          : "a worker serves again"))
            report(tracking.value.effectivePriority, tracking.value.fault || fault)
        }
    }

    private func record(_ index: Int, success: Bool) {
        guard tracking.value.record(index, success: success) else { return }
        let track = instance.tracks[index]
        let state = tracking.value
        log.log(.notice, "VRRP_Instance(\(instance.name)) Track \(Self.describe(track.signal)) "
                + (success ? "succeeded" : "failed") + ", priority \(state.effectivePriority)"
                + (state.fault ? ", FAULT" : ""))
        report(state.effectivePriority, state.fault || workerFault.value)
    }

    private func check(_ track: VRRPTrack) -> EventLoopFuture<Bool> {
        let timeout = TimeAmount.seconds(Int64(track.timeout))
        switch track.signal {
        case .listener(let reference):
            guard let index = health.listenerIndex(reference) else { return loop.makeSucceededFuture(false) }
            return health.listenerAccepts(index, timeout: timeout, on: loop)
        case .loopLag(let milliseconds):
            return health.loopsRespond(within: .milliseconds(Int64(milliseconds)), on: loop)
        case .backends(let service, let minimum):
            return health.usableBackends(service: service, on: loop).map { ($0 ?? 0) >= minimum }
        case .file(let path):
            return loop.makeSucceededFuture(access(path, F_OK) == 0)
        case .script(let command):
            return ScriptRun.run(command, timeout: timeout, on: loop).map { $0 == 0 }
        }
    }

    static func describe(_ signal: VRRPTrack.Signal) -> String {
        switch signal {
        case .listener(let reference): "Listener \"\(reference)\""
        case .loopLag(let milliseconds): "LoopLag \(milliseconds)"
        case .backends(let service, let minimum): "Backends \"\(service)\" \(minimum)"
        case .file(let path): "File \"\(path)\""
        case .script(let command): "Script \"\(command)\""
        }
    }
}
