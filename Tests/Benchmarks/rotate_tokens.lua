-- wrk script: GET (or the method in BENCH_METHOD) on BENCH_PATH with a bearer token rotated across the
-- tokens listed one per line in BENCH_TOKENS. "{token}" in BENCH_PATH is replaced per request by the
-- token on the matching line of BENCH_PATH_TOKENS when given.
local tokens, path_tokens = {}, {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local ptf = os.getenv("BENCH_PATH_TOKENS")
if ptf and ptf ~= "" then for line in io.lines(ptf) do path_tokens[#path_tokens + 1] = line end end
local path = os.getenv("BENCH_PATH")
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local i = math.random(1, #tokens)

request = function()
  i = i + 1
  local k = (i % #tokens) + 1
  local p = path
  if #path_tokens > 0 then p = string.gsub(path, "{token}", path_tokens[(i % #path_tokens) + 1]) end
  local headers = { ["Authorization"] = "Bearer " .. tokens[k] }
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, p, headers, body)
end
