-- Token bucket, evaluated atomically by Redis on its own clock (TIME): no client clock involved.
-- KEYS[1]  the bucket: a hash with u = units held, t = last refill (server microseconds)
-- ARGV[1]  permits added per period
-- ARGV[2]  the period, in microseconds
-- ARGV[3]  burst: the most tokens the bucket holds (it starts full)
-- ARGV[4]  tokens to take; a negative number gives tokens back (capped at the burst)
-- One token is worth `period` units and the bucket gains `permits` units per microsecond, so the
-- arithmetic stays in integers (exact in Lua's doubles below 2^53; the builder checks the bounds).
-- Returns 0 when the tokens were taken (or given back), else the microseconds until they will be.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local permits = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local cap = tonumber(ARGV[3]) * period
local want = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'u', 't')
local units = tonumber(state[1])
local last = tonumber(state[2])
if units == nil or last == nil then
  units = cap
  last = now
end
if now > last then
  units = math.min(cap, units + (now - last) * permits)
end
last = now
local result = 0
if want < 0 then
  units = math.min(cap, units - want * period)
elseif units >= want * period then
  units = units - want * period
else
  result = math.ceil((want * period - units) / permits)
end
redis.call('HSET', KEYS[1], 'u', string.format('%.0f', units), 't', string.format('%.0f', last))
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / permits / 1000) + 1000)
return result
