-- Mininet's custom topology (custom/topo-2sw-2host.py) as a declarative
-- file: it only describes the network and returns it; cnemu starts it,
-- runs the CLI (or --test), and stops it.
--
--   sudo ./cnemu examples/simple_topo.lua
--   sudo ./cnemu --switch lxbr --test pingall examples/simple_topo.lua
--
--      h1 --- s3 --- s4 --- h2

local net = cnemu.Net{}

local h1 = net:addHost("h1")
local h2 = net:addHost("h2")
local s3 = net:addSwitch("s3")
local s4 = net:addSwitch("s4")

net:addLink(h1, s3)
net:addLink(s3, s4)
net:addLink(s4, h2)

return net
