-- wrk script of the task_api benchmarks.
--
-- Usage: wrk ... -s requests.lua URL -- REQUEST_FILE
--
-- REQUEST_FILE holds one request a line, four tab-separated fields:
-- METHOD, PATH, HEADERS ("Name: value" pairs separated by "|", or "-")
-- and BODY (or "-"). Every request is formatted once at start; each
-- connection thread then walks the list from its own offset, so that a
-- scenario spreads over many rows rather than one hot row.
-- done() prints one line "BENCH_JSON {...}" with the counts and latency
-- percentiles (microseconds) that benchmarks/run.py reads.

local requests = {}
local count = 0
local position = 0
local threads = {}

function setup(thread)
   thread:set("thread_index", #threads)
   table.insert(threads, thread)
end

function init(args)
   local file = assert(io.open(args[1], "r"))
   for line in file:lines() do
      local method, path, header_text, body =
         line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      if method then
         local headers = {}
         if header_text ~= "-" then
            for name, value in header_text:gmatch("([^|:]+):%s*([^|]*)") do
               headers[name] = value
            end
         end
         if body == "-" then
            body = nil
         else
            headers["Content-Type"] = "application/json"
         end
         count = count + 1
         requests[count] = wrk.format(method, path, headers, body)
      end
   end
   file:close()
   assert(count > 0, "no request in " .. args[1])
   position = ((thread_index or 0) * 7919) % count
end

function request()
   position = position % count + 1
   return requests[position]
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
      '"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
      '"timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
      '"max_us": %d, "mean_us": %.1f}\n',
      summary.requests, summary.duration, summary.bytes, errors.connect,
      errors.read, errors.write, errors.status, errors.timeout,
      latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean))
end
