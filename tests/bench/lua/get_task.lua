dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local n = tonumber(os.getenv("BENCH_TASKS") or "100000")
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) math.randomseed(os.time() * 1000 + (tid or 0) * 7919) end
function request() return wrk.format("GET", "/tasks/" .. math.random(1, n)) end
