local function try(...) print(pcall(...)) end
local V = {} V.__index = V V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end V.__tostring = function(v) return "V(" .. v.x .. ")" end local a = setmetatable({x = 1}, V) print(tostring(a + a))
--!!
local function try(...) print(pcall(...)) end
local mt = {__eq = function(a, b) return a.id == b.id end} local a = setmetatable({id = 1}, mt) local b = setmetatable({id = 1}, mt) print(a == b, a ~= b, rawequal(a, b))
--!!
local function try(...) print(pcall(...)) end
local mt1 = {__eq = function() return true end} local mt2 = {__eq = function() return true end} print(setmetatable({}, mt1) == setmetatable({}, mt2))
--!!
local function try(...) print(pcall(...)) end
local mt = {__lt = function(a, b) return a.v < b.v end, __le = function(a, b) return a.v <= b.v end} local a, b = setmetatable({v = 1}, mt), setmetatable({v = 2}, mt) print(a < b, a <= b, a > b, a >= b)
--!!
local function try(...) print(pcall(...)) end
local mt = {__lt = function(a, b) return true end} local a = setmetatable({}, mt) print(pcall(function() return a <= a end))
--!!
local function try(...) print(pcall(...)) end
local mt = {__concat = function(a, b) return "cat" end} local a = setmetatable({}, mt) print(a .. "x", "x" .. a, 1 .. a)
--!!
local function try(...) print(pcall(...)) end
local mt = {__unm = function(a) return "neg" end, __len = function() return 42 end} local a = setmetatable({}, mt) print(-a, #a)
--!!
local function try(...) print(pcall(...)) end
local mt = {__call = function(self, a, b) return a + b, self end} local f = setmetatable({}, mt) local r, s = f(2, 3) print(r, s == f)
--!!
local function try(...) print(pcall(...)) end
local mt = {__index = function(t, k) return k .. "?" end} local t = setmetatable({a = 1}, mt) print(t.a, t.b, t[1], rawget(t, "b"))
--!!
local function try(...) print(pcall(...)) end
local base = {greet = function(self) return "hi " .. self.name end} local obj = setmetatable({name = "bob"}, {__index = base}) print(obj:greet())
--!!
local function try(...) print(pcall(...)) end
local A = {a = 1} local B = setmetatable({b = 2}, {__index = A}) local C = setmetatable({}, {__index = B}) print(C.a, C.b, C.c)
--!!
local function try(...) print(pcall(...)) end
local log = {} local t = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k rawset(t, k, v * 2) end}) t.a = 1 t.a = 5 t.b = 2 print(t.a, t.b, table.concat(log, ","))
--!!
local function try(...) print(pcall(...)) end
local store = {} local t = setmetatable({}, {__newindex = store}) t.x = 1 print(rawget(t, "x"), store.x)
--!!
local function try(...) print(pcall(...)) end
local t = setmetatable({}, {__index = function(t, k) return nil end}) print(t.x)
--!!
local function try(...) print(pcall(...)) end
local mt = {} mt.__index = mt local t = setmetatable({}, mt) print(pcall(function() return t.x end))
--!!
local function try(...) print(pcall(...)) end
local a = setmetatable({}, {__add = function(a, b) return 1 end}) print(a + 1, 1 + a, pcall(function() return a - 1 end))
--!!
local function try(...) print(pcall(...)) end
local mt = {__sub = function(a, b) return "sub" end, __mul = function() return "mul" end, __div = function() return "div" end, __mod = function() return "mod" end, __pow = function() return "pow" end} local a = setmetatable({}, mt) print(a - 1, a * 1, a / 1, a % 1, a ^ 1)
--!!
local function try(...) print(pcall(...)) end
print(pcall(function() return {} + {} end)) print(pcall(function() return 1 < {} end)) print(pcall(function() return {} < {} end))
--!!
local function try(...) print(pcall(...)) end
local t = setmetatable({}, {__tostring = function() return 42 end}) print(pcall(tostring, t))
--!!
local function try(...) print(pcall(...)) end
local t = setmetatable({}, {__tostring = function() return "custom" end}) print(t, tostring(t))
--!!
local function try(...) print(pcall(...)) end
local mt = {__metatable = false} local t = setmetatable({}, mt) print(getmetatable(t)) print(pcall(setmetatable, t, nil))
--!!
local function try(...) print(pcall(...)) end
local t = setmetatable({}, {}) print(getmetatable(t) ~= nil, setmetatable(t, nil) == t, getmetatable(t))
--!!
local function try(...) print(pcall(...)) end
local s = "abc" local mt = getmetatable(s) print(mt.__index.upper(s), ("x"):rep(2))
--!!
local function try(...) print(pcall(...)) end
local ud = setmetatable({}, {__index = string}) print(ud.format("%d", 5))
--!!
local function try(...) print(pcall(...)) end
local t = setmetatable({}, {__len = function() return 5 end}) print(#t)
--!!
local function try(...) print(pcall(...)) end
local count = 0 local t = setmetatable({}, {__index = function(t, k) count = count + 1 return k end}) for i = 1, 5 do local _ = t[i] end print(count)
--!!
local function try(...) print(pcall(...)) end
local p = setmetatable({}, {__index = function(_, k) return function(self, ...) return k, select("#", ...) end end}) print(p:anything(1, 2))
--!!
local function try(...) print(pcall(...)) end
local mt = {__eq = function() return true end} local a = setmetatable({}, mt) print(a == 1, 1 == a, a == "x")
--!!
local function try(...) print(pcall(...)) end
local t = setmetatable({}, {__call = 5}) print(pcall(t))
--!!
local function try(...) print(pcall(...)) end
print(type(setmetatable({}, {__index = 5}))) local t = setmetatable({}, {__index = 5}) print(pcall(function() return t.x end))
--!!
local function try(...) print(pcall(...)) end
local t = setmetatable({}, {__newindex = function() error("ro") end}) print(pcall(function() t.x = 1 end)) print(rawset(t, "x", 1).x)
--!!
local function try(...) print(pcall(...)) end
local weak = setmetatable({}, {__mode = "k"}) weak[{}] = 1 print(type(weak))
--!!
local function try(...) print(pcall(...)) end
local mt = {__gc = function() end} print(type(setmetatable({}, mt)))
--!!
local function try(...) print(pcall(...)) end
local mt = {__index = function(t, k) return "dyn" end} local t = setmetatable({}, mt) for k, v in pairs(t) do print(k) end print(t.z)
