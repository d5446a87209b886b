-- The time from net:start() returning to the first answered ping from h1
-- to the last host (milliseconds), measured inside h1 so that nothing of
-- the script's own work counts.  Run by bench/controller.sh:
--
--   sudo ./cnemu bench/first_ping.lua [TOPO]

local net = cnemu.Net{topo = arg[1] or "linear,3"}
net:start()
local hosts = net:hosts()
local dst = hosts[#hosts]:IP()
local ms = hosts[1]:cmd("s=$(date +%s%N); until ping -c1 -W1 " .. dst ..
                        " >/dev/null; do :; done; " ..
                        "echo $((($(date +%s%N) - s) / 1000000))")
print("first ping after start: " .. ms:match("%d+") .. " ms")
net:stop()
