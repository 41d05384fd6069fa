-- auth.lua: answer a backend's 401 by resending the request with Basic
-- credentials, so clients never see the challenge.
--
-- Written for Pounce from the behaviour described in Pound's manual
-- ("Resend"); not derived from Pound's example.  Uses our own base64.lua,
-- wwwauth.lua and creds.lua (all in this directory).
--
-- Use from a Service's `Rewrite response` section:
--
--     Rewrite response
--         LuaModify "auth.inject"
--     End
--
-- Requests with a body (POST, PUT) can be resent only with `ContentCapture`.

local M = {}

local base64 = require 'base64'
local wwwauth = require 'wwwauth'
local creds = require 'creds'

-- The first challenge in the response for SCHEME (case-insensitive).
local function find_challenge(scheme)
   local list, err = wwwauth.challenges(http.resp.headers['WWW-Authenticate'])
   if list == nil then
      return nil, err
   end
   local seen = {}
   for _, c in ipairs(list) do
      if c.scheme:lower() == scheme then
         return c
      end
      seen[#seen + 1] = c.scheme
   end
   return nil, 'unsupported authorization scheme: ' .. table.concat(seen, ', ')
end

function M.inject()
   if http.resp.code ~= 401 then
      return
   end
   -- Resent once already: these credentials were refused, let the client
   -- see the 401 (Pound stops after 4 resends anyway).
   if http.resendcount > 0 then
      return
   end
   -- The client sent credentials of its own: never replace them.
   if http.req.headers['Authorization'] ~= nil then
      return
   end

   local challenge, err = find_challenge('basic')
   if challenge == nil then
      pound.log(pound.INFO, 'auth.inject: ' .. err)
      return
   end
   local host = http.req.headers['Host']
   local user, password = creds.find(host, challenge.params.realm)
   if user == nil then
      pound.log(pound.INFO, 'auth.inject: no credentials for host ' .. tostring(host)
                .. ', realm ' .. tostring(challenge.params.realm))
      return
   end
   http.req.headers['Authorization'] = 'Basic ' .. base64.encode(user .. ':' .. password)
   http.resend = true
end

return M
