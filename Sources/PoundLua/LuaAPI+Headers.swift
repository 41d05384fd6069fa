import CLua
import CLuaBridge
import HTTPWire
import Routing

/// `http.req.headers` and `http.resp.headers`: indexed by field name (any case),
/// a string for one field, a table `{[0] = first, [1] = second, ...}` for several;
/// assigning a string replaces, a table sets all values, nil removes.
extension LuaAPI {
    static func headerMethods(response: Bool) -> [(String, pounce_lua_swift_function)] {
        response
            ? [("__index", responseHeadersIndex), ("__newindex", responseHeadersNewIndex),
               ("__tostring", responseHeadersString), ("__len", responseHeadersLength), ("__pairs", responseHeadersPairs)]
            : [("__index", requestHeadersIndex), ("__newindex", requestHeadersNewIndex),
               ("__tostring", requestHeadersString), ("__len", requestHeadersLength), ("__pairs", requestHeadersPairs)]
    }

    private static let requestHeadersIndex: pounce_lua_swift_function = { LuaAPI.headersIndex($0, response: false) }
    private static let responseHeadersIndex: pounce_lua_swift_function = { LuaAPI.headersIndex($0, response: true) }
    private static let requestHeadersNewIndex: pounce_lua_swift_function = { LuaAPI.headersNewIndex($0, response: false) }
    private static let responseHeadersNewIndex: pounce_lua_swift_function = { LuaAPI.headersNewIndex($0, response: true) }
    private static let requestHeadersString: pounce_lua_swift_function = { LuaAPI.headersString($0, response: false) }
    private static let responseHeadersString: pounce_lua_swift_function = { LuaAPI.headersString($0, response: true) }
    private static let requestHeadersLength: pounce_lua_swift_function = { LuaAPI.headersLength($0, response: false) }
    private static let responseHeadersLength: pounce_lua_swift_function = { LuaAPI.headersLength($0, response: true) }
    private static let requestHeadersPairs: pounce_lua_swift_function = { LuaAPI.headersPairs($0, response: false) }
    private static let responseHeadersPairs: pounce_lua_swift_function = { LuaAPI.headersPairs($0, response: true) }
    private static let requestHeadersNext: pounce_lua_swift_function = { LuaAPI.headersNext($0, response: false) }
    private static let responseHeadersNext: pounce_lua_swift_function = { LuaAPI.headersNext($0, response: true) }

    /// Runs `body` on the request's or the response's headers.
    private static func withHeaders(_ L: OpaquePointer?, response: Bool,
                                    _ body: (LuaState, inout HTTPHeaders) -> Int32) -> Int32 {
        guard let state = LuaState.of(L) else { return 0 }
        guard let request = state.request else { return noRequest(state) }
        if response {
            guard inResponse(state), var headers = request.pointee.responseHeaders else {
                return fail(state, "http.resp is available only in Rewrite response and LuaBackend")
            }
            request.pointee.responseHeaders = nil
            defer { request.pointee.responseHeaders = headers }
            return body(state, &headers)
        }
        return body(state, &request.pointee.head.headers)
    }

    private static func headersIndex(_ L: OpaquePointer?, response: Bool) -> Int32 {
        withHeaders(L, response: response) { state, headers in
            guard let name = state.string(at: 2) else {
                lua_pushnil(L)
                return 1
            }
            var count: lua_Integer = 0
            for field in headers.fields where field.hasName(name) {
                if count == 0 {
                    state.push(field.value)
                } else {
                    if count == 1 {
                        // Several fields: a table with the first at [0].
                        pounce_lua_newtable(L)
                        pounce_lua_insert(L, -2)
                        lua_rawseti(L, -2, 0)
                    }
                    state.push(field.value)
                    lua_rawseti(L, -2, count)
                }
                count += 1
            }
            if count == 0 { lua_pushnil(L) }
            return 1
        }
    }

    private static func headersNewIndex(_ L: OpaquePointer?, response: Bool) -> Int32 {
        withHeaders(L, response: response) { state, headers in
            guard let name = state.string(at: 2), HeaderText.isName(name) else {
                return fail(state, "bad header name")
            }
            switch state.type(at: 3) {
            case LUA_TNIL:
                headers.remove(name)
            case LUA_TTABLE:
                var values: [String] = []
                lua_pushnil(L)
                while lua_next(L, 3) != 0 {
                    guard let value = valueText(state, at: -1) else {
                        state.pop(2)
                        return fail(state, "\(name): bad header value")
                    }
                    values.append(value)
                    state.pop()
                }
                headers.remove(name)
                for value in values { headers.append(name, value) }
            default:
                guard let value = valueText(state, at: 3) else { return fail(state, "\(name): bad header value") }
                headers.replaceOrAppend(name, value)
            }
            return 0
        }
    }

    private static func headersString(_ L: OpaquePointer?, response: Bool) -> Int32 {
        withHeaders(L, response: response) { state, headers in
            var text = ""
            for field in headers.fields { text += field.line + "\n" }
            state.push(text)
            return 1
        }
    }

    private static func headersLength(_ L: OpaquePointer?, response: Bool) -> Int32 {
        withHeaders(L, response: response) { _, headers in
            lua_pushinteger(L, lua_Integer(headers.count))
            return 1
        }
    }

    /// `pairs(headers)`: each field in order. The iterator keeps its position (an
    /// upvalue): Pound finds the next field from the previous name, which never
    /// ends when a name repeats.
    private static func headersPairs(_ L: OpaquePointer?, response: Bool) -> Int32 {
        lua_pushinteger(L, 0)
        pounce_lua_push_swift_closure(L, response ? responseHeadersNext : requestHeadersNext, 1)
        lua_pushvalue(L, 1)
        lua_pushnil(L)
        return 3
    }

    private static func headersNext(_ L: OpaquePointer?, response: Bool) -> Int32 {
        withHeaders(L, response: response) { state, headers in
            let position = Int(pounce_lua_tointeger(L, pounce_lua_upvalueindex(2)))
            guard position >= 0, position < headers.fields.count else { return 0 }
            lua_pushinteger(L, lua_Integer(position + 1))
            lua_copy(L, -1, pounce_lua_upvalueindex(2))
            pounce_lua_pop(L, 1)
            state.push(headers.fields[position].name)
            state.push(headers.fields[position].value)
            return 2
        }
    }

    /// `headers = {...}`: the table's `name = value` pairs become all the headers;
    /// nil removes them all.
    static func replaceHeaders(_ state: LuaState, _ headers: inout HTTPHeaders) -> Int32 {
        let L = state.L
        switch state.type(at: 3) {
        case LUA_TNIL:
            headers = HTTPHeaders()
        case LUA_TTABLE:
            var fields: [HTTPHeaderField] = []
            lua_pushnil(L)
            while lua_next(L, 3) != 0 {
                // Keys are read without lua_tolstring, which would change a number
                // key in place and upset lua_next.
                guard state.type(at: -2) == LUA_TSTRING, let name = state.string(at: -2), HeaderText.isName(name),
                      let value = valueText(state, at: -1) else {
                    state.pop(2)
                    return fail(state, "headers: each entry must be a field name and its value")
                }
                fields.append(HTTPHeaderField(name: name, value: value))
                state.pop()
            }
            headers = HTTPHeaders(fields)
        default:
            return fail(state, "bad argument #3 to 'headers' (table expected)")
        }
        return 0
    }

    /// A header value from a string or number: no line breaks (they would start a
    /// header of the script's making).
    private static func valueText(_ state: LuaState, at index: Int32) -> String? {
        let type = state.type(at: index)
        guard type == LUA_TSTRING || type == LUA_TNUMBER else { return nil }
        // A copy, so converting a number does not change the table being walked.
        lua_pushvalue(state.L, index)
        defer { state.pop() }
        guard let value = state.string(at: -1), HeaderText.isValue(value) else { return nil }
        return value
    }
}

/// What a header may hold: RFC 9110 token names, values without CR, LF or NUL.
enum HeaderText {
    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(c)
            }
        }
    }

    static func isValue(_ s: String) -> Bool {
        !s.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}
