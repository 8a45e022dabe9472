dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local tag = os.getenv("BENCH_TAG") or tostring(os.time())
local threads, i = 0, 0
local headers = bench_headers({ ["Content-Type"] = "application/json" })
local priorities = { "low", "medium", "high" }
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function request()
  i = i + 1
  local items = {}
  for k = 1, 1000 do
    items[k] = '{"title":"bulk ' .. tag .. ' t' .. (tid or 0) .. ' r' .. i .. ' k' .. k ..
      '","description":"bulk item","priority":"' .. priorities[k % 3 + 1] .. '"}'
  end
  return wrk.format("POST", "/tasks/bulk", headers, "[" .. table.concat(items, ",") .. "]")
end
