-- wrk script: create / delete pairs (subscribe+unsubscribe on BENCH_CHANNEL, or vote+unvote with BENCH_BASE
-- = "/votes/v1/video/<token>/") across the users listed in BENCH_TOKENS.
-- Each wrk thread takes its own slice of users and walks them round robin, toggling each user's state,
-- so a user's next operation is sent long after the previous one completed.
local all = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do all[#all + 1] = line end
local channel = os.getenv("BENCH_CHANNEL")
local base = os.getenv("BENCH_BASE") or ("/channel_subscribers/v1/" .. (channel or "") .. "/")
local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local mine, subscribed, i = {}, {}, 0
function init(args)
  for k = 1, #all do
    if (k - 1) % threads == id then mine[#mine + 1] = all[k]; subscribed[#mine] = false end
  end
end

request = function()
  i = (i % #mine) + 1
  local headers = { ["Authorization"] = "Bearer " .. mine[i] }
  local path, method
  if subscribed[i] then
    method, path = "DELETE", base .. "delete/"
  else
    method, path = "POST", base .. "create/"
  end
  subscribed[i] = not subscribed[i]
  return wrk.format(method, path, headers)
end
