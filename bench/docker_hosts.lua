-- Start, pingall and stop of N container hosts on one switch, timed.
--   sudo ./cnemu bench/docker_hosts.lua N [IMAGE]
-- Prints one line: "N start_s pingall_s stop_s loss_pct".
local n = tonumber(arg[1] or "10")
local image = arg[2] or "cnemu/debian:12"
local net = cnemu.Net{}
local s1 = net:addSwitch("s1")
for i = 1, n do
	local d = net:addDocker("d" .. i, { dimage = image })
	net:addLink(d, s1)
end
local t0 = cnemu.now()
net:start()
local t1 = cnemu.now()
local loss = net:pingAll()
local t2 = cnemu.now()
net:stop()
local t3 = cnemu.now()
print(string.format("%d %.2f %.2f %.2f %s", n, t1 - t0, t2 - t1, t3 - t2, loss))
