extension RoutingRequest {
    /// `http:const(NAME)`: the constant as the request's scopes define it (service,
    /// listener, global), nil if none does.
    public func constant(named name: String) -> String? {
        guard let constant = scope.constant(name) else { return nil }
        return constant.value ?? ""
    }

    /// `http.fwd_ip`: the client address as seen through `TrustedIP` proxies.
    public var forwardedClientAddress: String {
        ForwardedAddress.resolve(self, forwarded: true).text
    }
}
