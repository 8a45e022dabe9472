dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local tag = os.getenv("BENCH_TAG") or tostring(os.time())
local threads, i = 0, 0
local headers = bench_headers({ ["Content-Type"] = "application/json" })
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function request()
  i = i + 1
  return wrk.format("POST", "/tasks", headers,
    '{"title":"bench ' .. tag .. ' t' .. (tid or 0) .. ' n' .. i .. '","description":"load","priority":"high"}')
end
