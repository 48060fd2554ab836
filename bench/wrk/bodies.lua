-- Requests read from files bench/http.py wrote: BODIES_DIR holds <kind>-<n>.req files, each a
-- method, a path, a content type and a body; KINDS (env) says which kinds to send and how often
-- ("miss:1,hit:4,list:3,retrieve:2"). Each wrk thread takes its own share of the files, so that
-- no two threads send the same "miss" image, and no file is sent twice.
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local requests_by_kind = {}
local weights = {}
local next_index = {}

local function read_request(path)
  local file = io.open(path, "rb")
  local method = file:read("*l")
  local url = file:read("*l")
  local content_type = file:read("*l")
  local body = file:read("*a")
  file:close()
  local headers = {}
  if content_type ~= "" then headers["Content-Type"] = content_type end
  return wrk.format(method, url, headers, body ~= "" and body or nil)
end

function init(args)
  local directory = os.getenv("BODIES_DIR")
  local share, of = id, tonumber(os.getenv("WRK_THREADS"))
  for entry in string.gmatch(os.getenv("KINDS"), "[^,]+") do
    local kind, weight = string.match(entry, "([%w_]+):(%d+)")
    requests_by_kind[kind] = {}
    next_index[kind] = 1
    local listing = io.open(directory .. "/" .. kind .. ".list", "r")
    local n = 0
    for path in listing:lines() do
      if string.sub(kind, 1, 4) ~= "miss" or n % of == share - 1 then
        table.insert(requests_by_kind[kind], read_request(path))
      end
      n = n + 1
    end
    listing:close()
    for _ = 1, tonumber(weight) do table.insert(weights, kind) end
  end
  math.randomseed(share * 7919)
end

function request()
  local kind = weights[math.random(#weights)]
  local list = requests_by_kind[kind]
  local index = next_index[kind]
  if index > #list then
    if string.sub(kind, 1, 4) == "miss" then index = #list else index = 1 end  -- no miss wraps to a seen image
  end
  next_index[kind] = index + 1
  return list[index]
end

-- The run's numbers as one JSON line on stdout, for bench/http.py.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
