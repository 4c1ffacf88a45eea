// The two Lua scripts a sync round runs in Redis (7.0+, standalone: they touch keys they
// derive, so not for Redis Cluster). Per-torrent work happens there, so that a round is a
// handful of commands whatever its size: each command costs the node several microseconds
// in the client, which at a few thousand torrents per round was most of the sync's cost.
// Record and score layouts: records.ts.

/**
 * Applies a batch of stream records (ARGV[8]) to the torrents' sorted sets, trims their
 * expired entries, keeps each set alive at least ARGV[5] ms, counts completions and
 * appends the batch to the update stream.
 * ARGV: peers key prefix, stream key, downloaded hash key, live score floor, TTL (ms),
 * stream MINID, writer, batch. Returns { hex info hash, new total } pairs for completions.
 */
export const PUBLISH_LUA = `
local prefix, stream, downloaded = ARGV[1], ARGV[2], ARGV[3]
local expired, ttl, batch = '(' .. ARGV[4], tonumber(ARGV[5]), ARGV[8]
local groups, order, completed = {}, {}, {}
local at, size = 1, #batch
while at + 28 <= size do
  local hash = string.sub(batch, at, at + 19)
  local flags = string.byte(batch, at + 20)
  local peer = bit.band(flags, 8) == 0 and 6 or 18
  local group = groups[hash]
  if group == nil then
    group = {}
    groups[hash] = group
    order[#order + 1] = hash
  end
  group[#group + 1] = struct.unpack('>d', batch, at + 21) * 4 + bit.band(flags, 3)
  group[#group + 1] = string.sub(batch, at + 29, at + 28 + peer)
  if bit.band(flags, 4) ~= 0 then completed[hash] = (completed[hash] or 0) + 1 end
  at = at + 29 + peer
end
local totals = {}
for _, hash in ipairs(order) do
  local hex = string.format(string.rep('%02x', 20), string.byte(hash, 1, 20))
  local key = prefix .. hex
  local group = groups[hash]
  for i = 1, #group, 1000 do
    redis.call('ZADD', key, unpack(group, i, math.min(i + 999, #group)))
  end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', expired)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
  if completed[hash] then
    totals[#totals + 1] = hex
    totals[#totals + 1] = redis.call('HINCRBY', downloaded, hex, completed[hash])
  end
end
redis.call('XADD', stream, 'MINID', '~', ARGV[6], '*', 'w', ARGV[7], 'u', batch)
return totals
`;

/**
 * Reads the live entries and completed count of each torrent in ARGV[4..] (hex info
 * hashes) as one binary string: per torrent, in order, entries (u32) and downloaded (f64),
 * then per entry the member's length (u8), the member, the score (f64); all big-endian.
 * ARGV: peers key prefix, downloaded hash key, live score floor, hex info hashes.
 */
export const SNAPSHOT_LUA = `
local prefix, downloaded, live = ARGV[1], ARGV[2], ARGV[3]
local out = {}
for i = 4, #ARGV do
  local entries = redis.call('ZRANGEBYSCORE', prefix .. ARGV[i], live, '+inf', 'WITHSCORES')
  out[#out + 1] = struct.pack('>I4d', #entries / 2, tonumber(redis.call('HGET', downloaded, ARGV[i]) or '0'))
  for k = 1, #entries, 2 do
    out[#out + 1] = string.char(#entries[k]) .. entries[k] .. struct.pack('>d', tonumber(entries[k + 1]))
  end
end
return table.concat(out)
`;
