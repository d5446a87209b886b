-- Containernet's containernet_example.py in Lua: two containers and a
-- host behind two switches, the link between the switches shaped
-- (bw 1 Mbit/s, 100 ms delay), a ping, then the CLI.
--
--   sudo ./cnemu examples/containernet_example.lua
--   sudo ./cnemu --switch lxbr examples/containernet_example.lua < cmds
--
-- The image defaults to cnemu/busybox:latest; give another as the first
-- argument (Containernet's example uses ubuntu:trusty).

local image = arg[1] or "cnemu/busybox:latest"

local net = cnemu.Net{}           -- switch and controller from the command line
cnemu.info("*** Adding controller\n")
net:addController("c0")
cnemu.info("*** Adding docker containers\n")
local d1 = net:addDocker("d1", { ip = "10.0.0.251", dimage = image })
local d2 = net:addDocker("d2", { ip = "10.0.0.252", dimage = image })
local h1 = net:addHost("h1", { ip = "10.0.0.1" })
cnemu.info("*** Adding switches\n")
local s1 = net:addSwitch("s1")
local s2 = net:addSwitch("s2")
cnemu.info("*** Creating links\n")
net:addLink(d1, s1)
net:addLink(h1, s1)
net:addLink(s1, s2, { cls = "TCLink", delay = "100ms", bw = 1 })
net:addLink(s2, d2)
cnemu.info("*** Starting network\n")
net:start()
cnemu.info("*** Testing connectivity\n")
net:ping({ d1, d2 })
cnemu.info("*** Running CLI\n")
net:CLI()
cnemu.info("*** Stopping network\n")
net:stop()
