-- wrk script: POST /api/v1/appointments, citizens booking across the bench unit's slots.
-- $BENCH_TOKENS holds one citizen access token a line, $BENCH_SLOTS one slot start a line.
-- Request g (counted over all threads, from $BENCH_OFFSET so that each round goes on where the
-- last stopped) is citizen g mod N's attempt g div N: every attempt has a key of its own and
-- a slot the citizen does not hold yet, so up to three per citizen succeed (the limit).
local tokens, slots = {}, {}
-- `id` is set per thread by setup (a global of the thread, so it must not be shadowed here).
local counter, threads = 0, 1
local offset = tonumber(os.getenv("BENCH_OFFSET") or "0")

local function lines(path, into)
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    if #line > 0 then into[#into + 1] = line end
  end
  file:close()
end

local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  lines(os.getenv("BENCH_TOKENS"), tokens)
  lines(os.getenv("BENCH_SLOTS"), slots)
  threads = tonumber(os.getenv("BENCH_THREADS") or "2")
end

function request()
  local g = offset + counter * threads + id
  counter = counter + 1
  local citizen = g % #tokens
  local attempt = math.floor(g / #tokens)
  local slot = (citizen * 13 + attempt * (math.floor(#slots / 3) + 1)) % #slots
  local body = string.format(
    '{"unit_code":"BENCH.00.H00","procedure_code":"BENCH.0001","start":"%s"}', slots[slot + 1])
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[citizen + 1],
    ["Idempotency-Key"] = "bench-" .. g,
  }
  return wrk.format("POST", "/api/v1/appointments", headers, body)
end
