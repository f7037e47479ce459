-- wrk: POST /api/v1/visits, best slot in a window on one of the benchmark's days (env DAYS, TOKENS, RESIDENT; requests take turns among the tokens).
dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
local days, tokens, resident = env_list("DAYS"), env_list("TOKENS"), os.getenv("RESIDENT")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local turn = 0
request = function()
  local d = days[math.random(#days)]
  local body = string.format('{"resident_id":"%s","service_type":"blood_pressure_check","window_start":"%sT08:00:00+08:00","window_end":"%sT17:00:00+08:00"}', resident, d, d)
  turn = turn + 1
  local auth = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[(turn % #tokens) + 1] }
  return wrk.format(nil, "/api/v1/visits", auth, body)
end
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
done = function() report_statuses(threads) end
