import CLua
import CLuaBridge
import HTTPWire
import Routing

/// `http`: the request being served (`http.req`), the response being rewritten or
/// built (`http.resp`), the service (`http.service`), resending (`http.resend`,
/// `http.balancer`, `http.resendcount`), the client (`http.rmt_ip`, `http.fwd_ip`)
/// and `http:const`. The objects are made once per state; their functions read the
/// call in progress.
extension LuaAPI {
    static func installHTTP(_ state: LuaState) throws(LuaStartError) {
        let L = state.L
        state.requestHeadersRef = makeProxy(state, headerMethods(response: false))
        state.responseHeadersRef = makeProxy(state, headerMethods(response: true))
        state.queryRef = makeProxy(state, [("__index", queryIndex), ("__newindex", queryNewIndex),
                                           ("__tostring", queryString), ("__len", queryLength)])
        try state.run(chunk: """
            return function(text, major, minor)
                return setmetatable({ major = major, minor = minor },
                                    { __name = text, __tostring = function() return text end })
            end
            """, name: "=http.req.version", results: 1)
        state.versionMakerRef = state.makeRef()

        // http = setmetatable({}, { __index = fields, __newindex = ... }): the fixed
        // fields are plain table reads; the rest goes through `httpIndex`.
        pounce_lua_newtable(L)                                  // http
        pounce_lua_newtable(L)                                  // its metatable
        pounce_lua_newtable(L)                                  // fields
        state.pushRef(makeProxy(state, [("__index", requestIndex), ("__newindex", requestNewIndex)]))
        lua_setfield(L, -2, "req")
        state.pushRef(makeProxy(state, [("__index", responseIndex), ("__newindex", responseNewIndex)]))
        lua_setfield(L, -2, "resp")
        state.pushRef(makeProxy(state, [("__index", serviceIndex), ("__newindex", serviceNewIndex),
                                        ("__tostring", serviceString), ("__pairs", servicePairs),
                                        ("__len", serviceLength)]))
        lua_setfield(L, -2, "service")
        state.setFunction("const", constant)
        pounce_lua_newtable(L)
        state.setFunction("__index", httpIndex)
        lua_setmetatable(L, -2)                                 // fields' metatable
        lua_setfield(L, -2, "__index")
        state.setFunction("__newindex", httpNewIndex)
        lua_setmetatable(L, -2)
        state.httpRef = state.makeRef()
    }

    /// A new empty table whose metatable has `methods`; returns its registry reference.
    private static func makeProxy(_ state: LuaState, _ methods: [(String, pounce_lua_swift_function)]) -> Int32 {
        pounce_lua_newtable(state.L)
        pounce_lua_newtable(state.L)
        for (name, f) in methods { state.setFunction(name, f) }
        lua_setmetatable(state.L, -2)
        return state.makeRef()
    }

    // MARK: the call in progress

    static func noRequest(_ state: LuaState) -> Int32 {
        fail(state, "http is available only while a request is processed")
    }

    /// Whether `http.resp`, `http.service` and resending are available: in
    /// `Rewrite response` and in a `LuaBackend`, as in Pound.
    static func inResponse(_ state: LuaState) -> Bool {
        state.kind == .modifyResponse || state.kind == .backend
    }

    // MARK: http

    private static let httpIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let request = state.request, let scripts = state.scripts else { return noRequest(state) }
        let field = state.string(at: 2) ?? "?"
        switch field {
        case "rmt_ip":
            state.push(request.pointee.client.normalizedText)
        case "fwd_ip":
            state.push(request.pointee.forwardedClientAddress)
        case "balancer" where inResponse(state):
            switch scripts.resend {
            case .balancer(let w), .service(_, .some(let w)): lua_pushinteger(L, lua_Integer(w))
            default: lua_pushinteger(L, lua_Integer(scripts.balancerWeight))
            }
        case "resend" where inResponse(state):
            // Pound gives the resend mode as a number: 0 none, 1 same backend,
            // 2 another balancer group, 3 another service.
            let mode: Int
            switch scripts.resend {
            case .none: mode = 0
            case .sameService: mode = 1
            case .balancer: mode = 2
            case .service: mode = 3
            }
            lua_pushinteger(L, lua_Integer(mode))
        case "resendcount" where inResponse(state):
            lua_pushinteger(L, lua_Integer(scripts.resendCount))
        default:
            return fail(state, "\(field): no such field")
        }
        return 1
    }

    private static let httpNewIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let scripts = state.scripts else { return noRequest(state) }
        let field = state.string(at: 2) ?? "?"
        switch field {
        case "balancer":
            guard lua_isnumber(L, 3) != 0 else { return fail(state, "bad argument #3 to 'balancer' (number expected)") }
            let weight = Int(clamping: pounce_lua_tointeger(L, 3))
            if case .service(let name, _) = scripts.resend {
                scripts.resend = .service(name: name, minimumWeight: weight)
            } else {
                scripts.resend = .balancer(minimumWeight: weight)
            }
        case "resend":
            scripts.resend = lua_toboolean(L, 3) != 0 ? .sameService : .none
        case "req", "resp", "service", "resendcount", "const":
            return fail(state, "attempt to modify read-only data")
        default:
            return fail(state, "\(field): no such field")
        }
        return 0
    }

    private static let constant: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        if let failure = checkArguments(state, "const", 2) { return failure }
        guard let request = state.request else { return noRequest(state) }
        guard let name = state.string(at: 2) else { return fail(state, "bad argument #2 to 'const' (string expected)") }
        if let value = request.pointee.constant(named: name) { state.push(value) } else { lua_pushnil(L) }
        return 1
    }

    // MARK: http.req

    private static let requestIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let request = state.request else { return noRequest(state) }
        let head = request.pointee.head
        let field = state.string(at: 2) ?? "?"
        switch field {
        case "method": state.push(head.method)
        case "url": state.push(head.uri)
        case "path": state.push(String(head.path))
        case "line": state.push(head.requestLine)
        case "headers": state.pushRef(state.requestHeadersRef)
        case "query": state.pushRef(state.queryRef)
        case "body":
            if let body = state.scripts?.capturedBody { state.push(bytes: body) } else { lua_pushnil(L) }
        case "version":
            state.pushRef(state.versionMakerRef)
            state.push("\(head.version.major).\(head.version.minor)")
            lua_pushinteger(L, lua_Integer(head.version.major))
            lua_pushinteger(L, lua_Integer(head.version.minor))
            guard pounce_lua_pcall(L, 3, 1) == LUA_OK else { return -1 }
        default:
            return fail(state, "\(field): no such field")
        }
        return 1
    }

    private static let requestNewIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let request = state.request else { return noRequest(state) }
        let field = state.string(at: 2) ?? "?"
        switch field {
        case "headers":
            return replaceHeaders(state, &request.pointee.head.headers)
        case "path", "url", "query":
            var value: String?
            if state.type(at: 3) != LUA_TNIL {
                guard let v = state.string(at: 3) else { return fail(state, "bad argument #3 (string expected)") }
                guard URLText.isValid(v) else { return fail(state, "\(field): invalid character in value") }
                value = v
            }
            let uri = request.pointee.head.uri
            switch field {
            case "url":
                guard let value, !value.isEmpty else { return fail(state, "url: value must be a non-empty string") }
                request.pointee.head.uri = value
            case "path":
                guard let value, !value.isEmpty else { return fail(state, "path: value must be a non-empty string") }
                request.pointee.head.uri = value + (RequestURI.query(uri).map { "?" + $0 } ?? "")
            default:
                let path = RequestURI.path(uri)
                request.pointee.head.uri = value.map { String(path) + "?" + $0 } ?? String(path)
            }
        case "line", "method", "version", "body":
            return fail(state, "attempt to modify read-only data")
        default:
            return fail(state, "\(field): no such field")
        }
        return 0
    }

    // MARK: http.req.query

    private static let queryIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let request = state.request else { return noRequest(state) }
        guard let name = state.string(at: 2) else {
            lua_pushnil(L)
            return 1
        }
        switch RequestURI.parameter(name, inURI: request.pointee.head.uri) {
        case .absent: lua_pushnil(L)
        case .noValue: state.push("")
        case .value(let v): state.push(String(v))
        }
        return 1
    }

    private static let queryNewIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let request = state.request else { return noRequest(state) }
        guard let name = state.string(at: 2), URLText.isValid(name) else {
            return fail(state, "bad query parameter name")
        }
        var value: String?
        switch state.type(at: 3) {
        case LUA_TNIL: value = nil
        case LUA_TSTRING, LUA_TNUMBER: value = state.string(at: 3)
        case LUA_TBOOLEAN: value = lua_toboolean(L, 3) != 0 ? "true" : "false"
        default: return fail(state, "bad argument #3 to 'newindex' (string expected)")
        }
        if let value, !URLText.isValid(value) { return fail(state, "\(name): invalid character in value") }
        request.pointee.head.uri = QueryParameters.set(name, to: value, in: request.pointee.head.uri)
        return 0
    }

    private static let queryString: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let request = state.request else { return noRequest(state) }
        state.push(String(RequestURI.query(request.pointee.head.uri) ?? ""))
        return 1
    }

    private static let queryLength: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let request = state.request else { return noRequest(state) }
        let query = RequestURI.query(request.pointee.head.uri) ?? ""
        lua_pushinteger(L, lua_Integer(query.split(separator: "&").count))
        return 1
    }

    // MARK: http.resp

    private static func responseUnavailable(_ state: LuaState) -> Int32 {
        fail(state, "http.resp is available only in Rewrite response and LuaBackend")
    }

    private static let responseIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard inResponse(state), let response = state.scripts?.response else { return responseUnavailable(state) }
        let field = state.string(at: 2) ?? "?"
        switch field {
        case "code": lua_pushinteger(L, lua_Integer(response.code))
        case "reason":
            if let reason = response.reason { state.push(reason) } else { lua_pushnil(L) }
        case "body":
            if let body = response.body { state.push(bytes: body) } else { lua_pushnil(L) }
        case "headers": state.pushRef(state.responseHeadersRef)
        default: return fail(state, "\(field): no such field")
        }
        return 1
    }

    private static let responseNewIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard inResponse(state), let scripts = state.scripts, scripts.response != nil,
              let request = state.request else { return responseUnavailable(state) }
        let field = state.string(at: 2) ?? "?"
        switch field {
        case "code":
            guard lua_isnumber(L, 3) != 0 else {
                return fail(state, "bad argument #3 to 'code' (argument out of allowed range)")
            }
            let n = pounce_lua_tonumber(L, 3)
            guard n >= 100, n < 600, n == n.rounded() else {
                return fail(state, "bad argument #3 to 'code' (argument out of allowed range)")
            }
            scripts.response?.code = Int(n)
            if scripts.response?.reason == nil { scripts.response?.reason = HTTPStatus.reason(Int(n)) }
        case "reason":
            if state.type(at: 3) == LUA_TNIL {
                scripts.response?.reason = nil
            } else {
                guard let reason = state.string(at: 3), !reason.utf8.contains(where: { $0 == 13 || $0 == 10 }) else {
                    return fail(state, "reason: invalid value")
                }
                scripts.response?.reason = reason
            }
        case "body":
            guard scripts.response?.bodyWritable == true else {
                return fail(state, "http.resp.body can be set only by a LuaBackend")
            }
            if state.type(at: 3) == LUA_TNIL {
                scripts.response?.body = []
            } else {
                guard let body = state.bytes(at: 3) else { return fail(state, "bad argument #3 to 'body' (string expected)") }
                scripts.response?.body = body
            }
        case "headers":
            var headers = request.pointee.responseHeaders ?? HTTPHeaders()
            let result = replaceHeaders(state, &headers)
            request.pointee.responseHeaders = headers
            return result
        default:
            return fail(state, "\(field): no such field")
        }
        return 0
    }

    // MARK: http.service

    private static let serviceIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let scripts = state.scripts else { return noRequest(state) }
        let field = state.string(at: 2) ?? "?"
        switch field {
        case "name":
            if let service = scripts.service { state.push(service.name) } else { lua_pushnil(L) }
        case "locus":
            if let service = scripts.service { state.push(service.locus) } else { lua_pushnil(L) }
        default:
            return fail(state, "\(field): no such field")
        }
        return 1
    }

    private static let serviceNewIndex: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let scripts = state.scripts else { return noRequest(state) }
        let field = state.string(at: 2) ?? "?"
        guard field == "name" else {
            return fail(state, field == "locus" ? "attempt to modify read-only data" : "\(field): no such field")
        }
        guard state.kind == .modifyResponse else {
            return fail(state, "http.service.name can be set only in Rewrite response")
        }
        var weight: Int?
        if case .balancer(let w) = scripts.resend { weight = w }
        if case .service(_, let w) = scripts.resend { weight = w }
        if state.type(at: 3) == LUA_TNIL {
            scripts.resend = .service(name: nil, minimumWeight: weight)
            return 0
        }
        guard let name = state.string(at: 3) else { return fail(state, "bad argument #3 to 'name' (string expected)") }
        if name.hasPrefix("/") {
            guard scripts.serviceNames.global.contains(String(name.dropFirst())) else {
                return fail(state, "no global service with name \(name.dropFirst())")
            }
        } else if !scripts.serviceNames.listener.contains(name) {
            return fail(state, "no listener service with name \(name)")
        }
        scripts.resend = .service(name: name, minimumWeight: weight)
        return 0
    }

    private static let serviceString: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let service = state.scripts?.service else {
            lua_pushnil(L)
            return 1
        }
        state.push("service \(service.name) @ \(service.locus)")
        return 1
    }

    /// `pairs(http.service)`: `locus`, then `name`, as in Pound.
    private static let servicePairs: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        state.push(serviceNext)
        lua_pushvalue(L, 1)
        lua_pushnil(L)
        return 3
    }

    private static let serviceNext: pounce_lua_swift_function = { L in
        guard let state = LuaState.of(L) else { return 0 }
        guard let service = state.scripts?.service else { return 0 }
        switch state.type(at: 2) == LUA_TNIL ? nil : state.string(at: 2) {
        case nil:
            state.push("locus")
            state.push(service.locus)
        case "locus":
            state.push("name")
            state.push(service.name)
        default:
            return 0
        }
        return 2
    }

    private static let serviceLength: pounce_lua_swift_function = { L in
        lua_pushinteger(L, 2)
        return 1
    }
}

/// What may go into a request line: no controls, spaces or DEL (a value with a
/// line break or a blank would let a script forge the request sent on).
enum URLText {
    static func isValid(_ s: String) -> Bool {
        !s.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
    }
}
