-- wrk script for a request with a body: the method, body file and content type from
-- the environment (BENCH_METHOD, BENCH_BODY_FILE, BENCH_CONTENT_TYPE), then the
-- done() hook of report.lua (BENCH_REPORT_LUA), so the run prints the same figures.
wrk.method = os.getenv("BENCH_METHOD") or "POST"
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/json"
dofile(os.getenv("BENCH_REPORT_LUA"))
