-- Shared by every load script: numbers each wrk thread, lets scripts
-- count response statuses, and prints one RESULT line of JSON at the end
-- that bench/report reads.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- counts is per thread: status code -> responses.
counts = {}

function count_status(status)
  local k = tostring(status)
  counts[k] = (counts[k] or 0) + 1
end

-- lines reads a file into a list of its non-empty lines.
function lines(path)
  local out = {}
  for l in io.lines(path) do
    if l ~= "" then table.insert(out, l) end
  end
  assert(#out > 0, path .. " is empty")
  return out
end

-- urlencode escapes a form value.
function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function done(summary, latency, requests)
  local status, parts = {}, {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    if c then
      for k, v in pairs(c) do status[k] = (status[k] or 0) + v end
    end
  end
  for k, v in pairs(status) do table.insert(parts, string.format('"%s":%d', k, v)) end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p95_ms":%.3f,"p99_ms":%.3f,' ..
    '"max_ms":%.3f,"non2xx3xx":%d,"socket_errors":%d,"status":{%s}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, table.concat(parts, ",")))
end
