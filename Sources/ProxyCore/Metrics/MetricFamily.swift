/// One OpenMetrics metric family of Pound's `Metrics` backend (metrics.c): the
/// names, types, units and HELP texts are Pound 4.23's, so dashboards and alerts
/// written for Pound read Pounce unchanged.
struct MetricFamily: Sendable, Equatable {
    let name: String
    let type: String
    let unit: String?
    let help: String

    /// What each sample line is called: the family name, except that Pounce's own counters follow
    /// OpenMetrics and end in `_total` (Pound's `pound_uptime` counter does not, and is kept so).
    let sampleName: String

    init(_ name: String, _ type: String, unit: String? = nil, _ help: String, totalSuffix: Bool = false) {
        self.name = name
        self.type = type
        self.unit = unit
        self.help = help
        self.sampleName = totalSuffix ? name + "_total" : name
    }

    static let uptime = MetricFamily("pound_uptime", "counter", "Pound uptime, milliseconds since startup.")
    static let workers = MetricFamily("pound_workers", "gauge", "Number of pound workers.")
    static let queue = MetricFamily("pound_queue", "gauge", "Connection queue counters.")
    /// Kept by Pound for 4.19-4.22 scrapers.
    static let queueLength = MetricFamily(
        "pound_queue_len", "gauge",
        "Number of connections waiting in queue: (deprecated, use pound_queue{type=\"len\"}, instead).")

    static let listenerEnabled = MetricFamily("pound_listener_enabled", "stateset",
                                              "State of a listener: enabled/disabled.")
    static let listenerInfo = MetricFamily("pound_listener_info", "info", "Description of a listener.")

    static let serviceEnabled = MetricFamily("pound_service_enabled", "stateset", "State of a particular service.")
    static let backends = MetricFamily(
        "pound_backends", "gauge",
        "Number of backends per service: total, alive, enabled, and active (both alive and enabled).")

    static let backendState = MetricFamily("pound_backend_state", "stateset", "Backend states: alive and enabled.")
    static let backendRequests = MetricFamily("pound_backend_requests", "gauge",
                                              "Number of requests processed by backend.")
    static let backendRequestTime = MetricFamily("pound_backend_request_time_avg_nanoseconds", "gauge",
                                                 unit: "nanoseconds", "Average time per request spent in backend.")
    static let backendRequestDeviation = MetricFamily("pound_backend_request_stddev_nanoseconds", "gauge",
                                                      unit: "nanoseconds",
                                                      "Standard deviation of the average time per request.")

    // Pounce's own: present only for HTTPS listeners.
    static let listenerHandshakeTimeouts = MetricFamily(
        "pounce_listener_tls_handshake_timeouts", "counter",
        "TLS handshakes not finished within the Client timeout (the connection was closed).", totalSuffix: true)

    // Pounce's own, present only under a supervisor.
    static let generation = MetricFamily("pounce_generation", "gauge",
                                         "The serving worker's generation: 1 at start, one more per reload or restart.")
    static let generationStart = MetricFamily("pounce_generation_start_time_seconds", "gauge",
                                              "When the serving worker started, seconds since the epoch.")

    // Pounce's own, present only with AutoCert.
    static let acmeExpiryDays = MetricFamily("pounce_acme_certificate_expiry_days", "gauge",
                                             "Days until an AutoCert certificate expires (none while a placeholder is served).")
    static let acmeFailures = MetricFamily("pounce_acme_consecutive_failures", "gauge",
                                           "Failed attempts in a row to obtain or renew an AutoCert certificate.")

    // Pounce's own families, present only with VRRP blocks.
    static let vrrpState = MetricFamily("pounce_vrrp_state", "stateset",
                                        "State of a VRRP instance: INIT, BACKUP, MASTER or FAULT.")
    static let vrrpPriority = MetricFamily("pounce_vrrp_priority", "gauge",
                                           "Priority of a VRRP instance: configured (base) and advertised (effective).")
    static let vrrpTransitions = MetricFamily("pounce_vrrp_transitions", "counter",
                                              "State changes of a VRRP instance since startup.", totalSuffix: true)
    static let vrrpAdverts = MetricFamily("pounce_vrrp_adverts", "counter",
                                          "VRRP advertisements sent, received, and discarded as invalid.",
                                          totalSuffix: true)

    /// The families of one level of Pound's object tree, in the order Pound
    /// creates them when it first meets that level.
    static let listenerLevel: [MetricFamily] = [.listenerEnabled, .listenerInfo]
    static let serviceLevel: [MetricFamily] = [.serviceEnabled, .backends]
    static let backendLevel: [MetricFamily] = [.backendState, .backendRequests, .backendRequestTime,
                                               .backendRequestDeviation]
}
