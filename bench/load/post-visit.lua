-- wrk: POST /api/v1/visits, best slot in a window on one of the benchmark's days (env DAYS, TOKEN, RESIDENT).
local days = {}
for d in string.gmatch(os.getenv("DAYS"), "[^,]+") do days[#days + 1] = d end
local token, resident = os.getenv("TOKEN"), os.getenv("RESIDENT")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
request = function()
  local d = days[math.random(#days)]
  local body = string.format('{"resident_id":"%s","service_type":"blood_pressure_check","window_start":"%sT08:00:00+08:00","window_end":"%sT17:00:00+08:00"}', resident, d, d)
  return wrk.format(nil, "/api/v1/visits", nil, body)
end
local statuses = {}
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
done = function()
  for s, n in pairs(statuses) do io.stderr:write(string.format("status %d: %d\n", s, n)) end
end
