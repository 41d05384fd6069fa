-- wwwauth.lua: parse WWW-Authenticate (and Proxy-Authenticate) values.
--
-- Written for Pounce from the API described in Pound's manual ("wwwauth.lua"
-- appendix and "Resend"); not derived from Pound's module.  The syntax is
-- RFC 7235 (RFC 9110, section 11):
--
--   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
--   auth-param = token BWS "=" BWS ( token / quoted-string )
--
--   wwwauth.parse(h)       -> scheme, params    (the first challenge)
--                          -> nil, message      (on error)
--   wwwauth.challenges(h)  -> { {scheme = ..., params = ...}, ... }
--                          -> nil, message      (on error)
--
-- H is a header value: a string, or the table Pound gives for a header that
-- occurs several times ({[0] = first, [1] = second, ...}), which parse reads
-- as the values joined by commas (as RFC 9110 allows for list headers).
--
-- The scheme is returned as written (compare it case-insensitively).
-- Parameter names are lower-cased, since they are case-insensitive:
-- 'Basic Realm="x"' gives params.realm == "x".  Quoted values are unquoted
-- and their backslash escapes removed.  A token68 (as in 'Negotiate abc==')
-- is returned as params[1].  A parameter given twice is an error.

local M = {}

local TCHAR = "[%w!#$%%&'*+%-.^_`|~]"
local TOKEN = '^' .. TCHAR .. '+'
local TOKEN68 = '^[%w%-._~+/]+=*'

-- Header value: a string, or Pound's {[0] = ..., [1] = ...} for several fields.
local function joined(h)
   if type(h) == 'table' then
      local parts, i = {}, 0
      while h[i] ~= nil do
         parts[#parts + 1] = tostring(h[i])
         i = i + 1
      end
      return table.concat(parts, ', ')
   end
   return h
end

local function skip_ows(s, i)
   return (s:find('[^ \t]', i)) or #s + 1
end

-- Skip optional whitespace and empty list elements (",  ,").
local function skip_separators(s, i)
   i = skip_ows(s, i)
   while s:sub(i, i) == ',' do
      i = skip_ows(s, i + 1)
   end
   return i
end

-- A quoted-string starting at I (the opening quote): its unescaped content and
-- the position after the closing quote, or nil.
local function quoted_string(s, i)
   local out = {}
   i = i + 1
   while i <= #s do
      local c = s:sub(i, i)
      if c == '"' then
         return table.concat(out), i + 1
      elseif c == '\\' then
         local n = s:byte(i + 1)
         -- quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
         if n == nil or (n < 0x20 and n ~= 0x09) or n == 0x7f then
            return nil
         end
         out[#out + 1] = string.char(n)
         i = i + 2
      else
         local b = s:byte(i)
         if (b < 0x20 and b ~= 0x09) or b == 0x7f then
            return nil
         end
         out[#out + 1] = c
         i = i + 1
      end
   end
   return nil -- no closing quote
end

-- An auth-param at I: name, value and the position after it, or nil.
local function auth_param(s, i)
   local a, b = s:find(TOKEN, i)
   if not a then
      return nil
   end
   local name = s:sub(a, b)
   local j = skip_ows(s, b + 1)
   if s:sub(j, j) ~= '=' then
      return nil
   end
   j = skip_ows(s, j + 1)
   if s:sub(j, j) == '"' then
      local value, after = quoted_string(s, j)
      if value == nil then
         return nil
      end
      return name, value, after
   end
   local c, d = s:find(TOKEN, j)
   if c == nil then
      return nil
   end
   return name, s:sub(c, d), d + 1
end

-- Whether position I is at the end of a list element (end or comma, after OWS).
local function at_element_end(s, i)
   i = skip_ows(s, i)
   return i > #s or s:sub(i, i) == ','
end

-- One challenge starting at I: scheme, params and the position after it,
-- or nil and a message.
local function challenge(s, i)
   local a, b = s:find(TOKEN, i)
   if not a then
      return nil, 'expected an authentication scheme at position ' .. i
   end
   local scheme, params = s:sub(a, b), {}
   i = b + 1
   if at_element_end(s, i) then
      return scheme, params, i
   end
   if not s:find('^ ', i) then
      return nil, 'expected a space after ' .. scheme
   end
   i = skip_ows(s, i)

   -- token68 or the first auth-param
   local name, value, after = auth_param(s, i)
   if name == nil then
      local c, d = s:find(TOKEN68, i)
      if c and at_element_end(s, d + 1) then
         params[1] = s:sub(c, d)
         return scheme, params, d + 1
      end
      return nil, 'bad parameter at position ' .. i
   end
   params[name:lower()] = value
   i = after

   -- further auth-params, until the end or the start of the next challenge
   while true do
      i = skip_ows(s, i)
      if i > #s then
         return scheme, params, i
      end
      if s:sub(i, i) ~= ',' then
         return nil, 'expected "," at position ' .. i
      end
      local next_element = skip_separators(s, i)
      if next_element > #s then
         return scheme, params, next_element
      end
      name, value, after = auth_param(s, next_element)
      if name == nil then
         -- not a parameter: the next challenge starts here
         return scheme, params, i
      end
      local key = name:lower()
      if params[key] ~= nil then
         return nil, 'duplicate parameter ' .. key
      end
      params[key] = value
      i = after
   end
end

-- All challenges in H.
function M.challenges(h)
   local s = joined(h)
   if type(s) ~= 'string' then
      return nil, 'no header value'
   end
   local list = {}
   local i = skip_separators(s, 1)
   while i <= #s do
      local scheme, params, after = challenge(s, i)
      if scheme == nil then
         return nil, params
      end
      list[#list + 1] = { scheme = scheme, params = params }
      i = skip_separators(s, after)
   end
   if #list == 0 then
      return nil, 'empty header value'
   end
   return list
end

-- The first challenge in H: its scheme and parameters (what follows it is
-- not examined).
function M.parse(h)
   local s = joined(h)
   if type(s) ~= 'string' then
      return nil, 'no header value'
   end
   local i = skip_separators(s, 1)
   if i > #s then
      return nil, 'empty header value'
   end
   local scheme, params = challenge(s, i)
   return scheme, params
end

return M
