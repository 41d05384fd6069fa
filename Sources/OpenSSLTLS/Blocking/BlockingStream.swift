/// What `HTTPSClient` talks through once connected: TLS (`BlockingTLSStream`) or the bare
/// socket (`BlockingSocketStream`), both blocking with the socket's timeouts.
protocol BlockingStream: AnyObject {
    func write(_ bytes: [UInt8]) throws(HTTPSClient.Failure)
    /// Everything until the server closes (HTTP/1.0), at most `limit` bytes.
    func readAll(limit: Int) throws(HTTPSClient.Failure) -> [UInt8]
}
