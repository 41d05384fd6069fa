-- creds.lua: credentials auth.lua injects, looked up by host and realm.
--
-- Written for Pounce: the `creds` module Pound's manual ("Resend") leaves as
-- an exercise.
--
--   creds.find(host, realm) -> user, password   (or nil when not found)
--
-- HOST is the request's Host header; it matches an entry's host without
-- regard to case, with or without its port ("localhost:8080" matches an entry
-- for "localhost:8080" first, then one for "localhost").  An entry's host or
-- realm "*" matches any.  Entries are tried in order: put specific ones first.
--
-- Edit the table below (or load it from elsewhere; anything readable from Lua
-- will do).  Keep this file readable only by the user pounce runs as.

local M = {}

M.entries = {
   -- host          realm          user        password
   { host = 'localhost', realm = 'test', user = 'alice', password = 'open sesame' },
   { host = 'intranet.example.com', realm = '*', user = 'proxy', password = 'change me' },
}

local function host_matches(pattern, host)
   return pattern == '*' or pattern:lower() == host
end

function M.find(host, realm)
   if type(host) == 'table' then -- several Host fields: use the first
      host = host[0]
   end
   if host == nil or realm == nil then
      return nil
   end
   host = tostring(host):lower()
   local bare = host:match('^(.*):%d+$') or host
   if bare:sub(1, 1) == '[' then -- "[::1]:80" and "[::1]"
      bare = bare:match('^%[(.*)%]$') or bare
   end
   for _, candidate in ipairs({ host, bare }) do
      for _, e in ipairs(M.entries) do
         if host_matches(e.host, candidate) and (e.realm == '*' or e.realm == realm) then
            return e.user, e.password
         end
      end
   end
   return nil
end

return M
