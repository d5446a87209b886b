-- Start, pingall and stop of N container hosts, timed: all on one switch,
-- or on a tree (a root switch above leaf switches of PER_LEAF containers).
-- IMAGE "none" makes plain hosts instead (N=64, PER_LEAF=8: Mininet's
-- tree,depth=2,fanout=8).
--   sudo ./cnemu bench/docker_hosts.lua N [IMAGE [PER_LEAF]]
-- Prints one line: "N start_s pingall_s stop_s loss_pct".  With
-- CNEMU_BENCH_MEM=1 a line "mem CNEMU_KB VSWITCHD_KB" comes before it: the
-- peak resident memory of cnemu itself and of the run's own ovs-vswitchd
-- (0: none), which a peak RSS of cnemu's children would mix.
local n = tonumber(arg[1] or "10")
local image = arg[2] or "cnemu/debian:12"
local per_leaf = tonumber(arg[3] or "0")
local net = cnemu.Net{}
local s1 = net:addSwitch("s1")
local leaf = s1
for i = 1, n do
	if per_leaf > 0 and (i - 1) % per_leaf == 0 then
		leaf = net:addSwitch("s" .. (2 + (i - 1) // per_leaf))
		net:addLink(leaf, s1)
	end
	local d = image == "none" and net:addHost("h" .. i)
		or net:addDocker("d" .. i, { dimage = image })
	net:addLink(d, leaf)
end
local t0 = cnemu.now()
net:start()
local t1 = cnemu.now()
local loss = net:pingAll()
local t2 = cnemu.now()
-- The peak resident memory (kB) of the process 'pid' ("self" too).
local function peak_kb(pid)
	local f = pid and io.open("/proc/" .. pid .. "/status")
	if not f then return 0 end
	local kb = f:read("a"):match("VmHWM:%s*(%d+)")
	f:close()
	return tonumber(kb) or 0
end
local function vswitchd_pid()
	local self = io.open("/proc/self/stat"):read("l"):match("^(%d+)")
	local f = io.open("/run/cnemu/cn" .. self .. "/ovs/ovs-vswitchd.pid")
	if not f then return nil end
	local pid = f:read("l")
	f:close()
	return pid
end
local vswitchd_kb = peak_kb(vswitchd_pid())
net:stop()
local t3 = cnemu.now()
if os.getenv("CNEMU_BENCH_MEM") == "1" then
	print(string.format("mem %d %d", peak_kb("self"), vswitchd_kb))
end
print(string.format("%d %.2f %.2f %.2f %s", n, t1 - t0, t2 - t1, t3 - t2, loss))
