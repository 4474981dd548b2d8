-- wrk script: POST /api/v1/dossiers/lookup with random code/secret pairs from $BENCH_PAIRS.
local pairs = {}

function init(args)
  local file = assert(io.open(os.getenv("BENCH_PAIRS"), "r"))
  for line in file:lines() do
    local code, secret = line:match("^(%S+) (%S+)$")
    if code then pairs[#pairs + 1] = string.format('{"code":"%s","secret":"%s"}', code, secret) end
  end
  file:close()
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

function request()
  local body = pairs[math.random(#pairs)]
  return wrk.format("POST", "/api/v1/dossiers/lookup", { ["Content-Type"] = "application/json" }, body)
end
