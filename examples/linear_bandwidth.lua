-- Mininet's linearbandwidth.py as a regression script: hosts h1 and h2 at
-- the ends of a chain of switches whose links are shaped, an iperf for
-- each rate in turn (changed at runtime with link:config), and an exit
-- status from the figures: 0 when every measured rate is within 20 % of
-- the one asked for, 1 otherwise.  No CLI.
--
--   sudo ./cnemu --switch lxbr examples/linear_bandwidth.lua [SWITCHES [SECONDS]]
--
--   h1 --- s1 --- s2 --- ... --- sN --- h2

local n = tonumber(arg[1]) or 2
local seconds = tonumber(arg[2]) or 3
local rates = { 2, 5, 10 }                 -- Mbit/s

local net = cnemu.Net{}
local h1 = net:addHost("h1")
local h2 = net:addHost("h2")
local prev = h1
local shaped = {}
for i = 1, n do
   local s = net:addSwitch("s" .. i)
   local link = net:addLink(prev, s, { bw = rates[1] })
   shaped[#shaped + 1] = link
   prev = s
end
shaped[#shaped + 1] = net:addLink(prev, h2, { bw = rates[1] })
net:start()

local failed = 0
print(string.format("%-10s %-14s %-14s %s", "bw", "server", "client", "result"))
for _, bw in ipairs(rates) do
   for _, link in ipairs(shaped) do
      link:config{ bw = bw }
   end
   local server, client = net:iperf({ h1, h2 }, { seconds = seconds })
   local ratio = server / (bw * 1e6)
   local ok = ratio > 0.8 and ratio < 1.2
   if not ok then failed = failed + 1 end
   print(string.format("%-10s %-14s %-14s %s", bw .. " Mbit/s",
                       string.format("%.2f Mbit/s", server / 1e6),
                       string.format("%.2f Mbit/s", client / 1e6),
                       ok and "ok" or "FAIL"))
end
net:stop()
if failed > 0 then
   print(failed .. " rate(s) off by more than 20 %")
   os.exit(1)
end
print("all rates within 20 %")
os.exit(0)
