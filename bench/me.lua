-- wrk script: GET /api/v1/me with random citizens' access tokens from $BENCH_TOKENS: the token
-- verified, its session checked against the revocations, the account read.
local requests = {}

function init(args)
  local file = assert(io.open(os.getenv("BENCH_TOKENS"), "r"))
  for line in file:lines() do
    if #line > 0 then
      requests[#requests + 1] = wrk.format("GET", "/api/v1/me", { ["Authorization"] = "Bearer " .. line })
    end
  end
  file:close()
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

function request()
  return requests[math.random(#requests)]
end
