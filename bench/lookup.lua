-- wrk script: POST /api/v1/dossiers/lookup with random code/secret pairs from $BENCH_PAIRS.
-- The requests are formatted once in init, so that wrk (which shares the machine's cores with
-- the server) spends no more per request than a table look-up.
local requests = {}

function init(args)
  local file = assert(io.open(os.getenv("BENCH_PAIRS"), "r"))
  local headers = { ["Content-Type"] = "application/json" }
  for line in file:lines() do
    local code, secret = line:match("^(%S+) (%S+)$")
    if code then
      local body = string.format('{"code":"%s","secret":"%s"}', code, secret)
      requests[#requests + 1] = wrk.format("POST", "/api/v1/dossiers/lookup", headers, body)
    end
  end
  file:close()
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

function request()
  return requests[math.random(#requests)]
end
