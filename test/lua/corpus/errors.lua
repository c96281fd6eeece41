local x print(pcall(function() return x.y end))
print(pcall(function() return undefinedglobal.y end))
print(pcall(function() local t = {} return t.a.b end))
print(pcall(function() undefinedfn() end))
print(pcall(function() local t = {} t.method() end))
print(pcall(function() local t = {} t:method() end))
print(pcall(function() local f f() end))
print(pcall(function() return 1 + nil end))
print(pcall(function() local s = "x" return s + 1 end))
print(pcall(function() return "abc" + 1 end))
print(pcall(function() return {} + 1 end))
print(pcall(function() local t = {} return t.x + 1 end))
print(pcall(function() return 1 < nil end))
print(pcall(function() return nil < 1 end))
print(pcall(function() return 1 > nil end))
print(pcall(function() return "a" < 1 end))
print(pcall(function() return {} <= {} end))
print(pcall(function() return nothing .. "x" end))
print(pcall(function() local t = {} return "x" .. t end))
--!!
print(pcall(error))
print(pcall(error, nil))
print(pcall(error, "msg", 0))
print(pcall(error, "msg", 1))
print(pcall(error, 42))
local ok, e = pcall(error, {code = 1}) print(ok, type(e), e.code)
print(select("#", pcall(error)))
--!!
local function lvl1() error("at level 1", 1) end
local function lvl2() error("at level 2", 2) end
print(pcall(lvl1))
print(pcall(function()
  lvl2()
end))
--!!
print(xpcall(function() error("oops") end, function(m) return "handled: " .. m end))
print(xpcall(function() return 1, 2 end, print))
--!!
local ok, err = pcall(function() local a = {} ; a.b.c = 1 end) print(ok, err)
--!!
print(pcall(pcall))
print(pcall(pcall, error, "x"))
print(pcall(function() error(setmetatable({}, {__tostring = function() return "custom" end})) end))
--!!
local function recurse(n) return recurse(n + 1) + 1 end
local ok, e = pcall(recurse, 1) print(ok, string.find(e, "stack overflow") ~= nil)
--!!
error("top level error")
--!!
local t = nil
t.x = 1
--!!
error({code = 1})
--!!
print(pcall(next, {}, "nokey"))
print(pcall(ipairs))
print(pcall(setmetatable, {}))
print(pcall(tostring))
print(pcall(type))
print(pcall(unpack))
