-- Shared by the wrk scripts (dofile'd from beside them): comma-separated lists from the
-- environment, and a tally of answers by status that the main script prints at the end.
function env_list(name)
  local out = {}
  for v in string.gmatch(os.getenv(name) or "", "[^,]+") do out[#out + 1] = v end
  return out
end

statuses = {}
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end

-- Each thread counts its own answers; the main script adds them up.
function report_statuses(threads)
  local total = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + n end
  end
  for s, n in pairs(total) do io.stderr:write(string.format("status %d: %d\n", s, n)) end
end
