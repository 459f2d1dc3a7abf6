-- A subscriber's story page: GET args[1] with a session cookie that
-- rotates over the file args[2]; args[3] is the number of wrk threads,
-- so each thread starts in its own part of the list.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

function init(args)
  path = args[1]
  cookies = lines(args[2])
  local n = tonumber(args[3] or "1")
  i = id * math.floor(#cookies / n)
end

function request()
  i = i % #cookies + 1
  return wrk.format("GET", path, { ["Cookie"] = "dateline_session=" .. cookies[i] })
end
