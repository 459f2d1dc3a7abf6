-- A plain GET of the URL given to wrk: only the shared report.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
