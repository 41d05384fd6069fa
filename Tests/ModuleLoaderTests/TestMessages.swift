import PounceModuleAPI

/// A request as a module sees it, built by hand.
struct TestRequest: ModuleRequest {
    var method = "GET"
    var uri = "/"
    var clientAddress = "127.0.0.1"
    var headerList: [(String, String)] = []

    init(method: String = "GET", uri: String = "/", clientAddress: String = "127.0.0.1",
         headers: [(String, String)] = []) {
        self.method = method
        self.uri = uri
        self.clientAddress = clientAddress
        self.headerList = headers
    }

    func header(_ name: String) -> String? {
        headers(name).first
    }

    func headers(_ name: String) -> [String] {
        headerList.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }
}

/// A response as a module sees it.
struct TestResponse: ModuleResponse {
    var status = 200
    var headerList: [(String, String)] = []

    func headers(_ name: String) -> [String] {
        headerList.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }
}
