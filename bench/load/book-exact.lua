-- wrk: POST /api/v1/visits for an exact slot (clinician and start), the request that runs the SQL of
-- bench/load/booking.sql: lock one clinician, read their shifts and visits, insert. Every request
-- takes a different slot, spread over the clinicians (env CLINICIANS, DAYS, TOKENS, RESIDENT), so
-- bookings do not queue on one clinician any more than pgbench's random clinician does. Slots are
-- 20 minutes apart from 08:20 to 16:20 (a 15-minute visit, travel from and back to the clinic).
-- Requests take turns among the schedulers' tokens (env TOKENS).
dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
local clinicians, days, tokens = env_list("CLINICIANS"), env_list("DAYS"), env_list("TOKENS")
local resident = os.getenv("RESIDENT")
local per_day = 25

local threads, counter = {}, 0
setup = function(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

init = function(args)
  thread_count = tonumber(os.getenv("WRK_THREADS") or "2")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

request = function()
  local g = counter * thread_count + thread_index
  counter = counter + 1
  local c = clinicians[(g % #clinicians) + 1]
  local s = math.floor(g / #clinicians)
  local slot = s % per_day
  local d = days[(math.floor(s / per_day) % #days) + 1]
  local minutes = 8 * 60 + 20 + slot * 20
  local body = string.format(
    '{"resident_id":"%s","service_type":"blood_pressure_check","window_start":"%sT08:00:00+08:00",' ..
    '"window_end":"%sT17:00:00+08:00","clinician_id":"%s","starts_at":"%sT%02d:%02d:00+08:00"}',
    resident, d, d, c, d, math.floor(minutes / 60), minutes % 60)
  -- Each request as one of the schedulers in turn (the per-user quota counts a minute's bookings).
  local auth = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[(g % #tokens) + 1] }
  return wrk.format(nil, "/api/v1/visits", auth, body)
end

done = function() report_statuses(threads) end
