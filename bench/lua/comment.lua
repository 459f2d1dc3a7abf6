-- Comment posts: POST /comments as a subscriber whose session cookie
-- rotates over args[1], under a story rotating over the slugs in args[2],
-- with a text that is never the same twice (Dateline refuses a repeat
-- within the hour). args[3] is the number of wrk threads. Counts every
-- status: 303 is a comment saved; 429 the per-reader limit (five in five
-- minutes); 403 a story whose discussion has closed.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local words = { "rail", "harbour", "council", "budget", "library", "bridge", "ferry", "school", "market",
  "forecast", "museum", "clinic", "river", "timetable", "election", "festival", "survey", "tenants" }

function init(args)
  cookies = lines(args[1])
  stories = lines(args[2])
  local n = tonumber(args[3] or "1")
  i = id * math.floor(#cookies / n)
  j = id * math.floor(#stories / n)
  sent = 0
  math.randomseed(os.time() + id)
end

function request()
  i = i % #cookies + 1
  j = j % #stories + 1
  sent = sent + 1
  local text = string.format("Reader's note %d-%d-%d: the %s and the %s deserve a follow-up on %s.",
    os.time(), id, sent, words[math.random(#words)], words[math.random(#words)], words[math.random(#words)])
  local body = "story=" .. urlencode(stories[j]) .. "&body=" .. urlencode(text)
  return wrk.format("POST", "/comments", {
    ["Cookie"] = "dateline_session=" .. cookies[i],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

function response(status, headers, body)
  count_status(status)
end
