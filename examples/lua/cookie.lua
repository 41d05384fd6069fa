-- cookie.lua: read request cookies and add response cookies.
--
-- Written for Pounce from the API described in Pound's manual ("cookie.lua"
-- appendix and "Cookie injection"); not derived from Pound's module.
--
--   cookie.get(name)                  -> value or nil
--   cookie.set(name, value [, ttl [, attributes]])
--
-- cookie.get reads the request's Cookie header(s) (http.req.headers), so it
-- works in LuaMatch, LuaModify (request and response rewriting) and LuaBackend.
-- cookie.set adds a Set-Cookie header to the response (http.resp.headers), so
-- it works only where http.resp exists: `Rewrite response` and LuaBackend.

local M = {}

-- RFC 6265 cookie-name is an RFC 7230 token.
local function is_token(s)
   return type(s) == 'string' and s ~= '' and not s:find("[^%w!#$%%&'*+%-.^_`|~]")
end

-- RFC 6265 cookie-octet: visible US-ASCII except DQUOTE, comma, semicolon and
-- backslash.  No spaces or control characters either.
local function is_cookie_value(s)
   for i = 1, #s do
      local c = s:byte(i)
      if c < 0x21 or c > 0x7e or c == 0x22 or c == 0x2c or c == 0x3b or c == 0x5c then
         return false
      end
   end
   return true
end

-- Pound returns a header's value as a string when the request has one such
-- field, and as a table {[0] = first, [1] = second, ...} when it has several.
-- Turn either (or nil) into an ordinary list {first, second, ...}.
local function values(v)
   if v == nil then
      return {}
   elseif type(v) == 'table' then
      local list, i = {}, 0
      while v[i] ~= nil do
         list[#list + 1] = v[i]
         i = i + 1
      end
      return list
   end
   return { tostring(v) }
end
M.values = values

local function trim(s)
   return (s:gsub('^[ \t]+', ''):gsub('[ \t]+$', ''))
end

-- The value of cookie NAME in the request, or nil.  Every Cookie header is
-- searched (clients should send one, HTTP/2 gateways may send several); the
-- first pair with that (case-sensitive) name wins, as browsers list the most
-- specific cookie first.  A value in double quotes is returned without them.
function M.get(name)
   if type(name) ~= 'string' or name == '' then
      error('cookie.get: cookie name expected', 2)
   end
   for _, header in ipairs(values(http.req.headers['Cookie'])) do
      for pair in header:gmatch('[^;]+') do
         local eq = pair:find('=', 1, true)
         if eq and trim(pair:sub(1, eq - 1)) == name then
            local value = trim(pair:sub(eq + 1))
            if #value >= 2 and value:sub(1, 1) == '"' and value:sub(-1) == '"' then
               value = value:sub(2, -2)
            end
            return value
         end
      end
   end
   return nil
end

-- The name of the cookie a Set-Cookie value sets.
local function set_cookie_name(v)
   local eq = v:find('=', 1, true)
   return eq and trim(v:sub(1, eq - 1)) or nil
end

-- Optional attributes, in this order.  Boolean attributes are added when true.
local attribute_names = {
   { 'path', 'Path' }, { 'domain', 'Domain' }, { 'expires', 'Expires' },
   { 'samesite', 'SameSite' }, { 'secure', 'Secure' }, { 'httponly', 'HttpOnly' },
}

-- Make the response set cookie NAME to VALUE.  TTL (a number or a string of
-- digits, as LuaModify passes its arguments) becomes Max-Age; without it the
-- cookie lasts for the browser session.  ATTRIBUTES is an optional table with
-- the keys path (default "/"), domain, expires, samesite, secure and httponly.
--
-- Set-Cookie headers the response already has are kept, after the new one,
-- except one setting the same cookie name, which this call replaces.
function M.set(name, value, ttl, attributes)
   if not is_token(name) then
      error('cookie.set: invalid cookie name ' .. tostring(name), 2)
   end
   value = tostring(value)
   if not is_cookie_value(value) then
      error('cookie.set: invalid cookie value for ' .. name, 2)
   end
   attributes = attributes or {}

   local text = name .. '=' .. value
   if ttl ~= nil and ttl ~= '' then
      local seconds = math.tointeger(tonumber(ttl))
      if seconds == nil or seconds < 0 then
         error('cookie.set: ttl must be a non-negative integer, got ' .. tostring(ttl), 2)
      end
      text = text .. '; Max-Age=' .. seconds
   end
   if attributes.path == nil then
      attributes.path = '/'
   end
   for _, a in ipairs(attribute_names) do
      local v = attributes[a[1]]
      if v == true then
         text = text .. '; ' .. a[2]
      elseif v ~= nil and v ~= false then
         v = tostring(v)
         if v:find('[;%c]') then
            error('cookie.set: invalid ' .. a[2] .. ' attribute', 2)
         end
         text = text .. '; ' .. a[2] .. '=' .. v
      end
   end

   -- Assigning a string would replace every Set-Cookie; assigning a list sets
   -- them all, so rebuild the list.  The new cookie goes first: Pound (and
   -- Pounce) record a `Session Type Cookie` session from the response's first
   -- Set-Cookie only, so cookie injection works even when the backend sets
   -- cookies of its own.
   local all = { text }
   for _, v in ipairs(values(http.resp.headers['Set-Cookie'])) do
      if set_cookie_name(v) ~= name then
         all[#all + 1] = v
      end
   end
   if #all == 1 then
      http.resp.headers['Set-Cookie'] = all[1]
   else
      http.resp.headers['Set-Cookie'] = all
   end
   return text
end

return M
