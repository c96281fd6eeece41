local V = {} V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__sub = function(a, b) return setmetatable({x = a.x - b.x}, V) end
V.__mul = function(a, b) if type(b) == "number" then return setmetatable({x = a.x * b}, V) end return a.x * b.x end
V.__div = function(a, b) return "div" end V.__mod = function() return "mod" end V.__pow = function() return "pow" end
V.__unm = function(a) return setmetatable({x = -a.x}, V) end
V.__eq = function(a, b) return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__concat = function(a, b) return "cat" end
V.__tostring = function(v) return "V(" .. v.x .. ")" end
V.__call = function(self, y) return self.x + y end
V.__len = function() return 99 end
local function new(x) return setmetatable({x = x}, V) end
local a, b = new(1), new(2)
print(tostring(a + b), tostring(a - b), tostring(a * 3), a * b, a / b, a % b, a ^ b, tostring(-a))
print(a == b, a == new(1), a ~= new(1), a < b, a <= b, a > b, a >= b, a .. b, a .. "s", "s" .. a, a(10), #a)
--!!
local t = setmetatable({}, {__index = {x = 1, y = 2}}) print(t.x, t.y, t.z, rawget(t, "x"))
local chain = setmetatable({}, {__index = setmetatable({}, {__index = {deep = "yes"}})}) print(chain.deep)
--!!
local log = {} local p = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k rawset(t, k, v) end})
p.a = 1 p.a = 2 p.b = 3 print(table.concat(log, ","), p.a)
local store = {} local q = setmetatable({}, {__newindex = store}) q.z = 5 print(rawget(q, "z"), store.z)
--!!
local mt = {__metatable = "locked"} local t = setmetatable({}, mt) print(getmetatable(t), pcall(setmetatable, t, {}))
print(getmetatable("abc").__index == string, getmetatable(1), getmetatable({}))
--!!
local t1 = setmetatable({}, {__eq = function() return true end}) local t2 = setmetatable({}, {__eq = function() return true end})
print(t1 == t2, t1 == t1, t1 == 1)
local e = {__eq = function() return true end} print(setmetatable({}, e) == setmetatable({}, e))
--!!
print(pcall(function() return {} < {} end))
print(pcall(function() return 1 < "2" end))
print(pcall(function() return {} .. "x" end))
print(pcall(function() return nil .. "x" end))
print(pcall(function() local t = {} return t + 1 end))
print(pcall(function() return -{} end))
print(pcall(function() return #nil end))
print(pcall(function() local n return #n end))
--!!
local called = setmetatable({}, {__call = function(self, a, b) return a + b end}) print(called(1, 2), pcall(setmetatable({}, {}), 1))
--!!
local t = setmetatable({}, {__index = function(t, k) return k * 2 end}) print(t[21], t[1.5])
print(pcall(setmetatable, 1, {}))
print(pcall(setmetatable, {}, 1))
--!!
local defaults = setmetatable({}, {__index = function(t, k) return "default_" .. k end}) print(defaults.color, rawget(defaults, "color"))
--!!
print(tostring(setmetatable({}, {__tostring = function() return 42 end})))
