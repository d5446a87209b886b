-- Start, pingall and stop of a tree of depth 2 (Mininet's
-- tree,depth=2,fanout=F): F leaf switches under s1, F hosts on each.
--   sudo ./cnemu [--cluster swarm] bench/tree_hosts.lua F
-- Prints one line: "hosts start_s pingall_s stop_s loss_pct".
local f = tonumber(arg[1] or "8")
local net = cnemu.Net{}
local s1 = net:addSwitch("s1")
for i = 1, f do
	local leaf = net:addSwitch("s" .. (1 + i))
	net:addLink(s1, leaf)
	for j = 1, f do
		net:addLink(net:addHost("h" .. ((i - 1) * f + j)), leaf)
	end
end
local t0 = cnemu.now()
net:start()
local t1 = cnemu.now()
local loss = net:pingAll()
local t2 = cnemu.now()
net:stop()
local t3 = cnemu.now()
print(string.format("%d %.2f %.2f %.2f %s", f * f, t1 - t0, t2 - t1, t3 - t2, loss))
