-- wrk: POST /api/v1/visits, best slot in a window on one of the benchmark's days (env DAYS, TOKENS, RESIDENT; requests take turns among the tokens).
local days = {}
for d in string.gmatch(os.getenv("DAYS"), "[^,]+") do days[#days + 1] = d end
local tokens, resident = {}, os.getenv("RESIDENT")
for t in string.gmatch(os.getenv("TOKENS"), "[^,]+") do tokens[#tokens + 1] = t end
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
statuses = {}
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
-- Each thread counts its own answers; the main script adds them up.
done = function()
  local total = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + n end
  end
  for s, n in pairs(total) do io.stderr:write(string.format("status %d: %d\n", s, n)) end
end
