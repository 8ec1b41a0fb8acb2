-- bench/wrk.lua: the requests of one `./stack bench` run of wrk, chosen by
-- the environment, and one tab-separated result line for bench/bench.sh.
--
--   BENCH_MODE    get (the URL as given), id (GET a random id), add (POST a
--                 new user each request), addkey (add, each request with
--                 its own Idempotency-Key), update (PUT a random id),
--                 update_if (PUT with If-Match naming the version the
--                 last answer for that id gave: see below)
--   BENCH_MAX_ID  ids are drawn uniformly from 1..BENCH_MAX_ID
--   BENCH_TAG     a number unique to the run: part of every added user
--   BENCH_API_KEY, BENCH_TOKEN  the x-api-key and the bearer token

local mode = os.getenv("BENCH_MODE") or "get"
local max_id = tonumber(os.getenv("BENCH_MAX_ID") or "1")
local tag = os.getenv("BENCH_TAG") or "0"

wrk.headers["x-api-key"] = os.getenv("BENCH_API_KEY")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
if mode == "add" or mode == "addkey" or mode == "update" or
    mode == "update_if" then
	wrk.headers["Content-Type"] = "application/json"
end

-- Runs in the main state, once per thread before it starts: numbers the
-- threads, so that two threads never add the same user.
local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

-- update_if: each thread owns ids of its own among 1..min(4096, max_id)
-- (bench.sh sets their version to 1 first) and sends each id again only
-- once its last answer came back, with the version that answer's ETag
-- gave: every If-Match is current, so a 412 is an error of the service.
-- The ETag ("ID-VERSION-COLUMNS") says which id an answer is for.
local free, free_head, free_tail, version = {}, 1, 0, {}

local function if_init()
	local pool = math.min(4096, max_id)
	for id = (tid or 1), pool, 2 do
		free_tail = free_tail + 1
		free[free_tail] = id
		version[id] = 1
	end
end

local function next_if_match()
	local id
	if free_head > free_tail then
		-- Every id is in flight (more connections than ids): reuse one.
		id = (tid or 1)
	else
		id = free[free_head]
		free[free_head] = nil
		free_head = free_head + 1
	end
	-- A headers table replaces wrk.headers in wrk.format: copy them.
	local headers = {}
	for k, v in pairs(wrk.headers) do
		headers[k] = v
	end
	headers["If-Match"] = string.format('"%d-%d-3ff"', id,
	    version[id] or 1)
	return wrk.format("PUT", "/v1/users/update-user/" .. id, headers,
	    string.format('{"nickname":"UPDATED %d"}', math.random(1000000)))
end

local function if_response(status, headers, body)
	local tag = headers["ETag"] or headers["etag"]
	if tag == nil then
		return
	end
	local id, v = string.match(tag, '^"(%d+)-(%d+)-')
	if id == nil then
		return
	end
	id, v = tonumber(id), tonumber(v)
	version[id] = v
	free_tail = free_tail + 1
	free[free_tail] = id
end

-- Random ids are drawn before the run, so that building a request costs
-- wrk little more than sending a fixed one.
local ring, ring_n, ring_i = {}, 16384, 0
local added = 0

function init(args)
	math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
	if mode == "update_if" then
		if_init()
	end
	if mode == "id" then
		for i = 1, ring_n do
			ring[i] = wrk.format("GET",
			    "/v1/users/id/" .. math.random(max_id))
		end
	elseif mode == "update" then
		for i = 1, ring_n do
			ring[i] = wrk.format("PUT",
			    "/v1/users/update-user/" .. math.random(max_id), nil,
			    string.format('{"nickname":"UPDATED %d"}',
			    math.random(1000000)))
		end
	end
end

local function next_in_ring()
	ring_i = ring_i % ring_n + 1
	return ring[ring_i]
end

-- Every added user is new: the thread number and a counter make the name
-- and the identification unique within the run, BENCH_TAG across runs.
local function next_added()
	added = added + 1
	local body = string.format('{"nickname":"BENCH %d %d",' ..
	    '"first_name":"Bench%d","last_name":"R%sN%d",' ..
	    '"email":"bench%d.%d@example.com",' ..
	    '"identification_type":"BENCH",' ..
	    '"identification_number":"%d%s%09d","country_id":"AR"}',
	    tid, added, tid, tag, added, tid, added, tid, tag, added)
	if mode ~= "addkey" then
		return wrk.format("POST", "/v1/users/add-user", nil, body)
	end
	local headers = {}
	for k, v in pairs(wrk.headers) do
		headers[k] = v
	end
	headers["Idempotency-Key"] = string.format("bench-%s-%d-%d", tag, tid,
	    added)
	return wrk.format("POST", "/v1/users/add-user", headers, body)
end

-- wrk sends one prepared request over and over unless request() exists.
if mode == "id" or mode == "update" then
	request = next_in_ring
elseif mode == "add" or mode == "addkey" then
	request = next_added
elseif mode == "update_if" then
	request = next_if_match
	response = if_response
end

-- requests, seconds, p50 and p99 in microseconds, errors: non-2xx/3xx
-- answers, then connect, read, write and timeout errors.
function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("BENCH\t%d\t%.6f\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n",
	    summary.requests, summary.duration / 1e6,
	    latency:percentile(50), latency:percentile(99),
	    e.status, e.connect, e.read, e.write, e.timeout))
end
