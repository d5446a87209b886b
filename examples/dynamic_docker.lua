-- Containernet's dynamic topology changes: a container and a link added
-- after start, a link's delay changed, a link taken down and up, then the
-- container removed again.  No CLI; exits 1 when a step does not behave.
--
--   sudo ./cnemu --switch lxbr examples/dynamic_docker.lua [IMAGE]

local image = arg[1] or "cnemu/busybox:latest"
local failed = 0
local function check(what, ok)
   print(string.format("%-44s %s", what, ok and "ok" or "FAIL"))
   if not ok then failed = failed + 1 end
end
-- The average RTT in ms of 3 pings from 'a' to 'b'.
local function rtt(a, b)
   local out = a:cmd("ping -c3 -i0.2 -W2", b:IP())
   return tonumber(out:match("= [%d.]+/([%d.]+)/"))
end

local net = cnemu.Net{}
local d1 = net:addDocker("d1", { ip = "10.0.0.251", dimage = image })
local h1 = net:addHost("h1", { ip = "10.0.0.1" })
local s1 = net:addSwitch("s1")
net:addLink(d1, s1)
-- Impaired from the start (1 ms): its delay changes at runtime below.
local link = net:addLink(h1, s1, { delay = "1ms" })
net:start()
check("d1 and h1 reach each other", net:ping({ d1, h1 }) == 0)

cnemu.info("*** Adding container d2 at runtime\n")
local d2 = net:addDocker("d2", { ip = "10.0.0.252", dimage = image })
net:addLink(d2, s1)
check("d2 reaches d1 and h1", net:ping({ d1, d2, h1 }) == 0)

cnemu.info("*** Delaying the link of h1 by 50 ms each way\n")
local before = rtt(d2, h1)
link:config{ delay = "50ms" }
local after = rtt(d2, h1)
check(string.format("rtt d2-h1 %.1f ms -> %.1f ms", before or -1, after or -1),
      before and after and after - before > 80)
link:config{ delay = "1ms" }

cnemu.info("*** Taking the link of h1 down and up\n")
net:configLinkStatus(h1, s1, "down")
check("h1 is cut off while its link is down", net:ping({ d2, h1 }) == 100)
net:configLinkStatus(h1, s1, "up")
check("h1 is back once its link is up", net:ping({ d2, h1 }) == 0)

cnemu.info("*** Removing d2\n")
net:removeDocker(d2)
check("d2 is gone", net:get("d1") and not net.d2)
check("d1 and h1 still reach each other", net:ping({ d1, h1 }) == 0)
net:stop()
os.exit(failed == 0)
