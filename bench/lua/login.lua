-- A flood of log-ins: POST /login with the right password for readers
-- rotating over the addresses in args[1]; args[2] is the password and
-- args[3] the number of wrk threads. Counts every status: 303 is a
-- log-in, 503 the password hasher too busy, 429 throttled.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

function init(args)
  readers = lines(args[1])
  password = args[2]
  local n = tonumber(args[3] or "1")
  i = id * math.floor(#readers / n)
end

function request()
  i = i % #readers + 1
  local body = "email=" .. urlencode(readers[i]) .. "&password=" .. urlencode(password)
  return wrk.format("POST", "/login", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

function response(status, headers, body)
  count_status(status)
end
