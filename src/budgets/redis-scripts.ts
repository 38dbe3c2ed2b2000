/**
 * The Lua scripts of the Redis counters (docs/budgets.md "Redis"). Redis runs a script to the end before any
 * other command, so checking every budget and reserving on all of them is one atomic step whichever replica sends
 * it. Per budget and window there are three keys (same hash tag, so one cluster slot per organisation):
 *   c  hash  s = settled, r = reserved, seed = 1 once loaded from the store; rolling windows also lo = oldest
 *            minute counted and m<minute> = settled in that minute
 *   z  zset  reservation id → expiry time (ms): expired reservations are dropped before every check
 *   a  hash  reservation id → reserved amount
 * plus q (hash n, t: requests and tokens admitted over the limit in one minute, for throttle budgets) and a
 * per-reservation `done` marker that makes settle/release idempotent. Amounts are integers (micro-USD or tokens)
 * below 2^53; they travel as strings and are formatted with %d, never as Lua floats.
 */
const HELPERS = `
local function int(x) return string.format('%d', x) end
local function num(v) if v then return tonumber(v) end return 0 end
-- Drop the minutes of a rolling counter that left the window (lo = oldest minute still counted).
local function roll(c, minute)
  local newLo = minute - 299
  local lo = tonumber(redis.call('HGET', c, 'lo') or newLo)
  if lo >= newLo then return end
  if newLo - lo > 300 then
    local all = redis.call('HGETALL', c)
    local s = 0
    for i = 1, #all, 2 do
      local f = all[i]
      if string.sub(f, 1, 1) == 'm' then
        if tonumber(string.sub(f, 2)) < newLo then redis.call('HDEL', c, f) else s = s + tonumber(all[i + 1]) end
      end
    end
    redis.call('HSET', c, 's', int(s))
  else
    for m = lo, newLo - 1 do
      local v = redis.call('HGET', c, 'm' .. int(m))
      if v then
        redis.call('HINCRBY', c, 's', int(-tonumber(v)))
        redis.call('HDEL', c, 'm' .. int(m))
      end
    end
  end
  redis.call('HSET', c, 'lo', int(newLo))
end
-- Drop reservations whose expiry has passed (a crashed replica's requests free their room after the TTL).
local function purge(c, z, a, now)
  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
  for _, id in ipairs(expired) do
    local amt = redis.call('HGET', a, id)
    if amt then
      redis.call('HINCRBY', c, 'r', int(-tonumber(amt)))
      redis.call('HDEL', a, id)
    end
  end
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', z, '-inf', now) end
end
`;

/**
 * KEYS: per budget c, z, a, q. ARGV: now, expiresAt, reservation id, n, minute, then per budget rolling (0|1),
 * limit, action (0 warn, 1 throttle, 2 block), amount, rpm (-1 none), tpm (-1 none), tokens, key expiry (ms).
 * Returns {-1, i…} (0-based budgets whose counter is not seeded yet), or {code, index, s1, r1, s2, r2, …} with
 * code 1 admitted, 2 block, 3 throttle and index the 0-based deciding budget.
 */
export const ADMIT_LUA = `${HELPERS}
local now, expiresAt, rid, n, minute = tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local function arg(i, k) return ARGV[5 + (i - 1) * 8 + k] end
local need = {-1}
for i = 1, n do
  if redis.call('HEXISTS', KEYS[(i - 1) * 4 + 1], 'seed') == 0 then need[#need + 1] = i - 1 end
end
if #need > 1 then return need end
local out = {1, -1}
local blockAt, throttleAt, over = -1, -1, {}
for i = 1, n do
  local c, z, a, q = KEYS[(i - 1) * 4 + 1], KEYS[(i - 1) * 4 + 2], KEYS[(i - 1) * 4 + 3], KEYS[(i - 1) * 4 + 4]
  if arg(i, 1) == '1' then roll(c, minute) end
  purge(c, z, a, now)
  local s, r = num(redis.call('HGET', c, 's')), num(redis.call('HGET', c, 'r'))
  out[#out + 1] = s
  out[#out + 1] = r
  if s + r + tonumber(arg(i, 4)) > tonumber(arg(i, 2)) then
    local action = arg(i, 3)
    if action == '2' then
      if blockAt < 0 then blockAt = i end
    elseif action == '1' then
      local used = redis.call('HMGET', q, 'n', 't')
      local usedN, usedT = num(used[1]), num(used[2])
      local rpm, tpm, tok = tonumber(arg(i, 5)), tonumber(arg(i, 6)), tonumber(arg(i, 7))
      if (rpm >= 0 and usedN + 1 > rpm) or (tpm >= 0 and usedT > 0 and usedT + tok > tpm) then
        if throttleAt < 0 then throttleAt = i end
      else
        over[#over + 1] = i
      end
    end
  end
end
if blockAt > 0 then out[1] = 2; out[2] = blockAt - 1; return out end
if throttleAt > 0 then out[1] = 3; out[2] = throttleAt - 1; return out end
for i = 1, n do
  local c, z, a = KEYS[(i - 1) * 4 + 1], KEYS[(i - 1) * 4 + 2], KEYS[(i - 1) * 4 + 3]
  local amount = arg(i, 4)
  redis.call('HINCRBY', c, 'r', amount)
  redis.call('ZADD', z, expiresAt, rid)
  redis.call('HSET', a, rid, amount)
  for _, k in ipairs({c, z, a}) do redis.call('PEXPIREAT', k, arg(i, 8)) end
  out[2 + i * 2] = out[2 + i * 2] + tonumber(amount)
end
for _, i in ipairs(over) do
  local q = KEYS[(i - 1) * 4 + 4]
  redis.call('HINCRBY', q, 'n', 1)
  redis.call('HINCRBY', q, 't', arg(i, 7))
  redis.call('PEXPIRE', q, 120000)
end
return out
`;

/**
 * Settle (actual > 0) or release (actual 0). KEYS: per budget c, z, a, then the reservation's done marker.
 * ARGV: marker TTL (ms), reservation id, n, minute, then per budget rolling (0|1), actual. Returns 0 when the
 * reservation was already settled or released (nothing changes), else 1. Settled spend is added only to a seeded
 * counter: an unseeded one will be seeded from the store, which receives the same spend.
 */
export const SETTLE_LUA = `${HELPERS}
if not redis.call('SET', KEYS[#KEYS], '1', 'NX', 'PX', ARGV[1]) then return 0 end
local rid, n, minute = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 1, n do
  local c, z, a = KEYS[(i - 1) * 3 + 1], KEYS[(i - 1) * 3 + 2], KEYS[(i - 1) * 3 + 3]
  local rolling, actual = ARGV[4 + (i - 1) * 2 + 1], ARGV[4 + (i - 1) * 2 + 2]
  local amt = redis.call('HGET', a, rid)
  if amt then
    redis.call('HINCRBY', c, 'r', int(-tonumber(amt)))
    redis.call('HDEL', a, rid)
    redis.call('ZREM', z, rid)
  end
  if tonumber(actual) > 0 and redis.call('HEXISTS', c, 'seed') == 1 then
    redis.call('HINCRBY', c, 's', actual)
    if rolling == '1' then
      local m = math.max(minute, num(redis.call('HGET', c, 'lo')))
      redis.call('HINCRBY', c, 'm' .. int(m), actual)
    end
  end
end
return 1
`;

/**
 * KEYS: per budget c, z, a. ARGV: now, minute, n, then per budget rolling (0|1). Returns {-1, i…} for unseeded
 * counters, else {s1, r1, s2, r2, …} after dropping expired reservations and minutes.
 */
export const PEEK_LUA = `${HELPERS}
local now, minute, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local need = {-1}
for i = 1, n do
  if redis.call('HEXISTS', KEYS[(i - 1) * 3 + 1], 'seed') == 0 then need[#need + 1] = i - 1 end
end
if #need > 1 then return need end
local out = {}
for i = 1, n do
  local c, z, a = KEYS[(i - 1) * 3 + 1], KEYS[(i - 1) * 3 + 2], KEYS[(i - 1) * 3 + 3]
  if ARGV[3 + i] == '1' then roll(c, minute) end
  purge(c, z, a, now)
  out[#out + 1] = num(redis.call('HGET', c, 's'))
  out[#out + 1] = num(redis.call('HGET', c, 'r'))
end
return out
`;

/**
 * Seeds counters from the store's settled spend, once: a counter already seeded (by another replica meanwhile)
 * is left alone. KEYS: c per counter. ARGV per counter: key expiry (ms), s, lo ('' for calendar), k, then k pairs
 * of minute and amount.
 */
export const SEED_LUA = `
local p = 1
for i = 1, #KEYS do
  local c = KEYS[i]
  local expireAt, s, lo, k = ARGV[p], ARGV[p + 1], ARGV[p + 2], tonumber(ARGV[p + 3])
  p = p + 4
  if redis.call('HEXISTS', c, 'seed') == 0 then
    redis.call('HSET', c, 'seed', '1', 's', s)
    if lo ~= '' then redis.call('HSET', c, 'lo', lo) end
    for j = 0, k - 1 do redis.call('HINCRBY', c, 'm' .. ARGV[p + j * 2], ARGV[p + j * 2 + 1]) end
    redis.call('PEXPIREAT', c, expireAt)
  end
  p = p + 2 * k
end
return 1
`;
