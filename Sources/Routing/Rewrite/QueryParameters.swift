/// `SetQueryParam`: replace the first parameter so named, append it, or remove it.
public enum QueryParameters {
    public static func set(_ name: String, to value: String?, in uri: String) -> String {
        let q = uri.firstIndex(of: "?")
        let path = q.map { String(uri[..<$0]) } ?? uri
        var params = q.map { uri[uri.index(after: $0)...].split(separator: "&", omittingEmptySubsequences: false).map(String.init) } ?? []
        let index = params.firstIndex { ($0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? $0) == name }
        switch (index, value) {
        case (let i?, let v?): params[i] = "\(name)=\(v)"
        case (let i?, nil): params.remove(at: i)
        case (nil, let v?): params.append("\(name)=\(v)")
        case (nil, nil): break
        }
        return params.isEmpty ? path : path + "?" + params.joined(separator: "&")
    }
}
