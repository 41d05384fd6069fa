// STUB: owned by the backends helper.
/// Checks done once the whole file is read (Pound's `service_finalize`/`backend_finalize`):
/// named backend references, mandatory Address, Port vs UNIX sockets, mixing backend types.
public enum ServiceFinalizer {
    public static func finalize(_ service: inout Service, parser: ConfigParser) throws {}
}
