-- Mininet's examples/simpleperf.py: network and CPU parameters together.
-- Four CPU-limited hosts (each gets 50%/4 of the machine's CPU) on one
-- switch, links of 10 Mbit/s with 5 ms delay and 10% loss, then a UDP
-- iperf between h1 and h4.  With the argument "testmode" the links lose
-- nothing, as in Mininet's test of this example.
--
--   sudo ./cnemu examples/simpleperf.lua [testmode]

local lossy = arg[1] ~= "testmode"
local n = 4
local net = cnemu.Net{autoStaticArp = true}
local switch = net:addSwitch("s1")
for h = 1, n do
	-- Each host gets 50%/n of system CPU
	local host = net:addHost("h" .. h, {cpu = 0.5 / n})
	-- 10 Mbps, 5ms delay, 10% (or no) packet loss
	net:addLink(host, switch, {bw = 10, delay = "5ms",
				   loss = lossy and 10 or 0, use_htb = true})
end
net:start()
cnemu.info("Dumping host connections\n")
for _, h in ipairs(net:hosts()) do
	print(h.name, table.concat(h:intfNames(), " "))
end
cnemu.info("Testing bandwidth between h1 and h4 (lossy=" ..
	   tostring(lossy) .. ")\n")
local h1, h4 = net:get("h1", "h4")
net:iperf({h1, h4}, {l4Type = "UDP"})
net:stop()
