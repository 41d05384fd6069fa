-- base64.lua: RFC 4648 base64 (standard alphabet, with padding), in plain Lua 5.4.
--
-- Written for Pounce; auth.lua uses it in place of the luarocks base64 module
-- Pound's manual mentions.
--
--   base64.encode(s) -> string
--   base64.decode(s) -> string, or nil and a message

local M = {}

local ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

local encode_map, decode_map = {}, {}
for i = 1, #ALPHABET do
   encode_map[i - 1] = ALPHABET:sub(i, i)
   decode_map[ALPHABET:byte(i)] = i - 1
end

function M.encode(s)
   s = tostring(s)
   local out = {}
   for i = 1, #s, 3 do
      local a, b, c = s:byte(i, i + 2)
      local n = (a << 16) | ((b or 0) << 8) | (c or 0)
      out[#out + 1] = encode_map[(n >> 18) & 63] .. encode_map[(n >> 12) & 63]
         .. (b and encode_map[(n >> 6) & 63] or '=')
         .. (c and encode_map[n & 63] or '=')
   end
   return table.concat(out)
end

function M.decode(s)
   s = tostring(s)
   if #s % 4 ~= 0 then
      return nil, 'base64: length is not a multiple of 4'
   end
   local out = {}
   for i = 1, #s, 4 do
      local n, pad = 0, 0
      for j = i, i + 3 do
         local ch = s:byte(j)
         local v = decode_map[ch]
         if ch == 61 and j >= #s - 1 then -- '=' only in the last two places
            pad = pad + 1
            v = 0
         elseif v == nil or pad > 0 then
            return nil, 'base64: invalid character at position ' .. j
         end
         n = (n << 6) | v
      end
      local bytes = string.char((n >> 16) & 255, (n >> 8) & 255, n & 255)
      out[#out + 1] = bytes:sub(1, 3 - pad)
   end
   return table.concat(out)
end

return M
