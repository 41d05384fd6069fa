-- mksess.lua: cookie injection.  Gives every client without the session
-- cookie a new one holding a unique identifier, so that `Session Type Cookie`
-- can keep the client on one backend even when the backend sets no cookie.
--
-- Written for Pounce from the behaviour described in Pound's manual ("Cookie
-- injection"); not derived from Pound's example.  Uses cookie.lua.
--
--     Service
--         Session
--             Type Cookie
--             ID "poundsession"
--             TTL 300
--         End
--         Rewrite response
--             LuaModify "mksess.inject" "poundsession" "300"
--         End
--         ...
--     End

local M = {}

local cookie = require 'cookie'

-- Identifiers come from math.random instead of the lua-uuid rock the manual
-- uses.  Lua 5.4 already seeds its generator on start-up; we seed it once
-- more, here at load time, mixing the clock, the wall time, the address of a
-- fresh table (randomised by ASLR) and pound.loadctx (each per-thread state
-- loads this file separately, so each gets a different sequence).  The
-- identifiers are 122 random bits in UUID version 4 form: plenty to be unique,
-- but math.random is NOT a cryptographic generator, so the cookie is good for
-- stickiness only, never for authentication.
do
   local address = tonumber(tostring({}):match('0x(%x+)') or '0', 16) or 0
   local context = (pound and pound.loadctx) or 0
   math.randomseed(os.time() ~ (context << 32), math.floor(os.clock() * 1e6) ~ address)
end

function M.newid()
   local function bits(n)
      return math.random(0, (1 << n) - 1)
   end
   return string.format('%08x-%04x-4%03x-%x%03x-%04x%08x',
                        bits(32), bits(16), bits(12),
                        8 + bits(2), bits(12),
                        bits(16), bits(32))
end

-- Unless the request has cookie NAME, make the response set it to a new
-- identifier, with Max-Age TTL (give it the Session's TTL).
function M.inject(name, ttl)
   if cookie.get(name) == nil then
      cookie.set(name, M.newid(), ttl)
   end
end

return M
