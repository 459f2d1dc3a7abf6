-- Searches: GET /search with one or two words drawn from the file args[1]
-- (words that occur in the seeded stories).
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

function init(args)
  words = lines(args[1])
  math.randomseed(os.time() + id)
end

function request()
  local q = words[math.random(#words)]
  if math.random(4) == 1 then
    q = q .. " " .. words[math.random(#words)]
  end
  return wrk.format("GET", "/search?q=" .. urlencode(q))
end
