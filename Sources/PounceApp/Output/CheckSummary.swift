import PoundConfig

/// The line `pounce -c -v` adds after Pound's "Config file ... is OK": what the checked
/// file declares, so an operator sees at a glance that an include or a listener did not
/// go missing. A Pounce addition; Pound prints only its own line.
enum CheckSummary {
    /// `FILE: OK: 2 listeners, 3 services, 5 backends, 1 module` (and `, 1 VRRP instance`
    /// when there are any). Backends that DNS resolves at run time (`Resolve
    /// first|all|srv`) are counted apart: `5 backends (2 dynamic)`.
    static func line(file: String, config: PoundConfiguration) -> String {
        let services = config.services + config.listeners.flatMap(\.services)
        let all = services.flatMap(\.backends.all)
        let dynamic = all.filter(isDynamic).count
        let counts = [
            counted(config.listeners.count, "listener"),
            counted(services.count, "service"),
            counted(all.count, "backend") + (dynamic > 0 ? " (\(dynamic) dynamic)" : ""),
            counted(config.modules.count, "module"),
        ] + (config.vrrp.isEmpty ? [] : [counted(config.vrrp.count, "VRRP instance")])
        return "\(file): OK: \(counts.joined(separator: ", "))"
    }

    private static func isDynamic(_ backend: Backend) -> Bool {
        if case .regular(let server) = backend.kind, case .dynamic? = server.address { return true }
        return false
    }

    private static func counted(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }
}
