-- A teaching lab (Mininet's linuxrouter.py): a client and a server in two
-- subnets, joined by a host that routes between them; ping and iperf from
-- the client to the server, then the CLI.
--
--   sudo ./cnemu --switch lxbr examples/router_lab.lua
--
--   client 192.168.1.100 --- s1 --- r0 --- s2 --- 172.16.0.100 server
--                    192.168.1.1 (r0-eth1)   172.16.0.1 (r0-eth2)

local net = cnemu.Net{}
local r0 = net:addHost("r0", { ip = "192.168.1.1/24" })
local client = net:addHost("client", { ip = "192.168.1.100/24" })
local server = net:addHost("server", { ip = "172.16.0.100/24" })
local s1 = net:addSwitch("s1")
local s2 = net:addSwitch("s2")

net:addLink(s1, r0, { intfName2 = "r0-eth1", params2 = { ip = "192.168.1.1/24" } })
net:addLink(s2, r0, { intfName2 = "r0-eth2", params2 = { ip = "172.16.0.1/24" } })
net:addLink(client, s1)
net:addLink(server, s2, { bw = 20 })
net:start()

r0:cmd("sysctl -q -w net.ipv4.ip_forward=1")
client:cmd("ip route add default via 192.168.1.1")
server:cmd("ip route add default via 172.16.0.1")

print((r0:cmd("ip -br addr")))
local loss = net:ping({ client, server })
local srv, cli = net:iperf({ client, server }, { seconds = 2 })
print(string.format("client -> server: %.1f Mbit/s (link to the server: 20)",
                    srv / 1e6))
net:CLI()
net:stop()
if loss > 0 then os.exit(1) end
