package lead

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"salesdesk/internal/assign"
)

// RedisRotation is an assign.Rotation kept in Redis, so that every worker
// process shares one rotation per scope. Each pick is one Lua script: it
// reads and updates the scope's state atomically, mirroring assign.Choose
// exactly (the tests hold the two side by side).
//
// Keys: "<prefix>{<scope>}" is a hash with the pick counter ("seq"), when
// each rep was last picked ("l:<id>") and the smooth-weighted current
// weights ("w:<id>"); "<prefix>{<scope>}:memo:<key>" remembers an
// idempotent pick for MemoTTL. The braces keep a scope's keys in one
// Redis Cluster slot.
type RedisRotation struct {
	rdb     redis.UniversalClient
	prefix  string
	memoTTL time.Duration
}

// DefaultRotationPrefix starts the rotation's Redis keys.
const DefaultRotationPrefix = "salesdesk:assign:"

// DefaultMemoTTL is how long an idempotent pick is remembered: longer
// than any retry of one assignment.
const DefaultMemoTTL = 24 * time.Hour

// NewRedisRotation returns a rotation in rdb; an empty prefix is
// DefaultRotationPrefix and a zero memoTTL DefaultMemoTTL.
func NewRedisRotation(rdb redis.UniversalClient, prefix string, memoTTL time.Duration) *RedisRotation {
	if prefix == "" {
		prefix = DefaultRotationPrefix
	}
	if memoTTL <= 0 {
		memoTTL = DefaultMemoTTL
	}
	return &RedisRotation{rdb: rdb, prefix: prefix, memoTTL: memoTTL}
}

// pickScript mirrors assign.Choose. ARGV: strategy, memo TTL in seconds,
// epsilon, then id, weight, load for each candidate in tie-break order.
// KEYS: the state hash and, optionally, the memo key.
var pickScript = redis.NewScript(`
local st = KEYS[1]
local kind = ARGV[1]
local ttl = tonumber(ARGV[2])
local eps = tonumber(ARGV[3])
local n = (#ARGV - 3) / 3
local ids, weights, loads = {}, {}, {}
for i = 1, n do
  ids[i] = ARGV[3 * i + 1]
  weights[i] = tonumber(ARGV[3 * i + 2])
  loads[i] = tonumber(ARGV[3 * i + 3])
end
if #KEYS > 1 then
  local memo = redis.call('GET', KEYS[2])
  if memo then
    for i = 1, n do
      if ids[i] == memo then return memo end
    end
  end
end
local best = nil
if kind == 'weighted' then
  local total, cws = 0, {}
  for i = 1, n do
    local w = weights[i]
    if w < 1 then w = 1 end
    total = total + w
    cws[i] = tonumber(redis.call('HGET', st, 'w:' .. ids[i]) or '0') + w
    if best == nil or cws[i] > cws[best] then best = i end
  end
  for i = 1, n do
    local v = cws[i]
    if i == best then v = v - total end
    redis.call('HSET', st, 'w:' .. ids[i], v)
  end
else
  local minload = nil
  if kind == 'least_loaded' then
    for i = 1, n do
      if minload == nil or loads[i] < minload then minload = loads[i] end
    end
  end
  local bestlast = nil
  for i = 1, n do
    if minload == nil or loads[i] <= minload + eps then
      local last = tonumber(redis.call('HGET', st, 'l:' .. ids[i]) or '0')
      if best == nil or last < bestlast then best, bestlast = i, last end
    end
  end
end
local seq = redis.call('HINCRBY', st, 'seq', 1)
redis.call('HSET', st, 'l:' .. ids[best], seq)
if #KEYS > 1 then redis.call('SET', KEYS[2], ids[best], 'EX', ttl) end
return ids[best]
`)

// Pick implements assign.Rotation.
func (r *RedisRotation) Pick(ctx context.Context, scope string, s assign.Strategy, key string, cands []assign.Candidate) (int64, error) {
	if len(cands) == 0 {
		return 0, assign.ErrNoCandidates
	}
	state := r.prefix + "{" + scope + "}"
	keys := []string{state}
	if key != "" {
		keys = append(keys, state+":memo:"+key)
	}
	args := make([]any, 0, 3+3*len(cands))
	args = append(args, string(s), int(r.memoTTL/time.Second), "1e-9")
	for _, c := range cands {
		args = append(args, strconv.FormatInt(c.ID, 10), max(c.Weight, 1), assign.FormatLoad(c.Load))
	}
	v, err := pickScript.Run(ctx, r.rdb, keys, args...).Text()
	if err != nil {
		return 0, fmt.Errorf("lead: rotation pick in %s: %w", scope, err)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("lead: rotation pick in %s: bad id %q", scope, v)
	}
	return id, nil
}

// Reset forgets a scope's rotation, e.g. after the team changed.
func (r *RedisRotation) Reset(ctx context.Context, scope string) error {
	if err := r.rdb.Del(ctx, r.prefix+"{"+scope+"}").Err(); err != nil {
		return fmt.Errorf("lead: reset rotation %s: %w", scope, err)
	}
	return nil
}
