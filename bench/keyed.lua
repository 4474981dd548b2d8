-- wrk script: GET /api/v1/integrations/dossiers/{code} with an integrator's key ($BENCH_KEY),
-- for random codes from $BENCH_PAIRS: the key checked, its bucket charged, the dossier read.
local requests = {}

function init(args)
  local file = assert(io.open(os.getenv("BENCH_PAIRS"), "r"))
  local headers = { ["X-API-Key"] = os.getenv("BENCH_KEY") }
  for line in file:lines() do
    local code = line:match("^(%S+) %S+$")
    if code then
      requests[#requests + 1] = wrk.format("GET", "/api/v1/integrations/dossiers/" .. code, headers)
    end
  end
  file:close()
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

function request()
  return requests[math.random(#requests)]
end
