local function try(...) print(pcall(...)) end
local function f(...) return select("#", ...), ... end print(f()) print(f(nil)) print(f(1, nil, 3)) print(f(nil, nil))
--!!
local function try(...) print(pcall(...)) end
local function f(...) local a, b = ... return a, b end print(f(1)) print(f(1, 2, 3))
--!!
local function try(...) print(pcall(...)) end
local function f(...) local t = {...} return #t, t[1], t[3] end print(f(1, 2, 3))
--!!
local function try(...) print(pcall(...)) end
local function f(...) return ... end print((f(1, 2, 3))) print(f(1, 2, 3), "x") print("x", f(1, 2, 3))
--!!
local function try(...) print(pcall(...)) end
local function f(...) local arg = {...} return arg.n end print(f(1, 2))
--!!
local function try(...) print(pcall(...)) end
local function g(a, b, ...) return a, b, select("#", ...) end print(g(1)) print(g(1, 2, 3, 4))
--!!
local function try(...) print(pcall(...)) end
local function v(...) return select(2, ...) end print(v(1, 2, 3)) print(pcall(v))
--!!
local function try(...) print(pcall(...)) end
local t = {(function() return 1, 2, 3 end)()} print(#t) t = {(function() return 1, 2, 3 end)(), 10} print(#t, t[2])
--!!
local function try(...) print(pcall(...)) end
local function f() end print(f()) print((f())) print(select("#", f())) print(select("#", (f())))
--!!
local function try(...) print(pcall(...)) end
local a, b, c = (function() return 1, 2 end)() print(a, b, c)
--!!
local function try(...) print(pcall(...)) end
local function r(n) if n == 0 then return end return n, r(n - 1) end print(r(5))
--!!
local function try(...) print(pcall(...)) end
print(unpack({1, 2, 3}, -1, 1))
--!!
local function try(...) print(pcall(...)) end
local function f(...) return ... end print(select("#", f(unpack({}, 1, 100))))
--!!
local function try(...) print(pcall(...)) end
local x = 1 do local x = 2 print(x) end print(x)
--!!
local function try(...) print(pcall(...)) end
local t = {} for i = 1, 3 do t[i] = function() return i end end print(t[1](), t[2](), t[3]())
--!!
local function try(...) print(pcall(...)) end
local t = {} local i = 1 while i <= 3 do local j = i t[i] = function() return j end i = i + 1 end print(t[1](), t[3]())
--!!
local function try(...) print(pcall(...)) end
local function counter() local n = 0 return function() n = n + 1 return n end end local c1, c2 = counter(), counter() print(c1(), c1(), c2())
--!!
local function try(...) print(pcall(...)) end
local a = {} a.b = {} a.b.c = function(self, x) return x * 2 end print(a.b:c(4), a.b.c(nil, 5))
--!!
local function try(...) print(pcall(...)) end
local obj = {v = 10} function obj:get() return self.v end function obj.static(x) return x end print(obj:get(), obj.static(3))
--!!
local function try(...) print(pcall(...)) end
for i = 10, 1, -3 do io = nil print(i) end for i = 1, 0 do print("never") end for i = 1.5, 3 do print(i) end
--!!
local function try(...) print(pcall(...)) end
for i = 1, 3 do local i = i * 2 print(i) end
--!!
local function try(...) print(pcall(...)) end
try(function() for i = 1, "x" do end end) try(function() for i = "a", 2 do end end) try(function() for i = 1, 2, {} do end end)
--!!
local function try(...) print(pcall(...)) end
for i = 1, 2, 0.5 do print(i) end for i = 3, 1, -0.5 do print(i) end
--!!
local function try(...) print(pcall(...)) end
local n = 0 repeat local x = n n = n + 1 until x >= 3 print(n)
--!!
local function try(...) print(pcall(...)) end
local n = 0 while true do n = n + 1 if n > 5 then break end end print(n)
--!!
local function try(...) print(pcall(...)) end
for k, v in ipairs({1, 2, nil, 4}) do print(k, v) end
--!!
local function try(...) print(pcall(...)) end
local function iter(s, c) if c < s then return c + 1, c * c end end for a, b in iter, 3, 0 do print(a, b) end
--!!
local function try(...) print(pcall(...)) end
print(1 and 2, nil and 1, false or "x", nil or false, false and nil, 1 or error("no"))
--!!
local function try(...) print(pcall(...)) end
print(not nil, not 0, not "", not not {})
--!!
local function try(...) print(pcall(...)) end
print(1 == 1.0, "1" == 1, 1 < 2, "a" < "b", "a" < "B", "" < "a", "abc" < "abd", "Z" < "a")
--!!
local function try(...) print(pcall(...)) end
try(function() return 1 < "2" end) try(function() return {} < {} end) try(function() return nil < 1 end)
--!!
local function try(...) print(pcall(...)) end
print(2^3^2, -2^2, (-2)^2, 2 * 3 + 4, 2 + 3 * 4, 7 - 2 - 1, 2^-1, 1 .. 2 .. 3)
--!!
local function try(...) print(pcall(...)) end
print("a" .. "b" == "ab", 1 + 2 .. "", 2 .. 3 + 1)
--!!
local function try(...) print(pcall(...)) end
print(#"abc" + 1, -#"ab", not 1 == 2)
--!!
local function try(...) print(pcall(...)) end
local s = "x" for i = 1, 3 do s = s .. s end print(s, #s)
--!!
local function try(...) print(pcall(...)) end
print(0x10, 0xff, 0XA, 1e2, 1E-2, .5, 5., 3e0)
--!!
local function try(...) print(pcall(...)) end
print("\65\066\0067", "\a\b\f\v" == "\7\8\12\11", "a\z" == nil)
--!!
local function try(...) print(pcall(...)) end
print([[long
string]], [==[with ]] inside]==], #[[
skip first newline]])
--!!
local function try(...) print(pcall(...)) end
local s = "tab\tnew\\" print(s, #s)
--!!
local function try(...) print(pcall(...)) end
-- comment
--[[ block
comment ]] print("after comments") --[==[ x ]==] print("end")
--!!
local function try(...) print(pcall(...)) end
local a, b = 1 print(a, b) local c, d = 1, 2, 3 print(c, d)
--!!
local function try(...) print(pcall(...)) end
local a, b = 1, 2 a, b = b, a print(a, b)
--!!
local function try(...) print(pcall(...)) end
local t = {1, 2} local i = 1 i, t[i] = i + 1, 20 print(i, t[1], t[2])
--!!
local function try(...) print(pcall(...)) end
local x, y, z = (function() return 1, 2, 3 end)(), 10 print(x, y, z)
--!!
local function try(...) print(pcall(...)) end
goto = 1 print(goto)
--!!
local function try(...) print(pcall(...)) end
local t = {f = function() return "f" end} print(t.f(), t["f"](), (t.f)())
--!!
local function try(...) print(pcall(...)) end
print(("abc"):upper(), #("abc"):rep(2), ("%d"):format(3))
--!!
local function try(...) print(pcall(...)) end
local s = "abc" print(s:len(), s:byte(1), s.len == string.len)
--!!
local function try(...) print(pcall(...)) end
try(function() local x = nil; x() end) try(function() local t = {} t.a.b = 1 end) try(function() undefinedfunc() end)
--!!
local function try(...) print(pcall(...)) end
try(function() local t = {} t:nomethod() end) try(function() ("x"):nomethod() end)
--!!
local function try(...) print(pcall(...)) end
try(function() return #nil end) try(function() return -{} end) try(function() return {} + 1 end)
--!!
local function try(...) print(pcall(...)) end
try(function() local a = "x" return a.b.c end) try(function() return math.nofunc() end)
--!!
local function try(...) print(pcall(...)) end
try(error, "msg") try(error, "msg", 0) print(type(select(2, pcall(error, {})))) try(error) try(error, nil) try(error, 42)
--!!
local function try(...) print(pcall(...)) end
print(select(2, pcall(error, setmetatable({}, {__tostring = function() return "obj" end}))) ~= nil)
--!!
local function try(...) print(pcall(...)) end
local ok, e = pcall(function() error("lvl1", 1) end) print(e) ok, e = pcall(function() error("lvl2", 2) end) print(e)
--!!
local function try(...) print(pcall(...)) end
local function thrower() error("deep") end local ok, e = pcall(function() thrower() end) print(ok, e)
--!!
local function try(...) print(pcall(...)) end
print(xpcall(function() error("x") end, function(m) return "handled: " .. m end))
--!!
local function try(...) print(pcall(...)) end
print(xpcall(function() return 1, 2 end, print))
--!!
local function try(...) print(pcall(...)) end
print(xpcall(function() error({code = 1}) end, function(e) return type(e) end))
--!!
local function try(...) print(pcall(...)) end
print(pcall(pcall)) print(pcall(pcall, error)) print(pcall(error, "a", "b"))
--!!
local function try(...) print(pcall(...)) end
print(select("#", pcall(function() end)), pcall(function() return nil, nil end))
--!!
local function try(...) print(pcall(...)) end
local ok, e = pcall(function() local t = setmetatable({}, {__index = function(t, k) error("idx " .. k) end}) return t.foo end) print(e)
--!!
local function try(...) print(pcall(...)) end
print(pcall(string.rep)) print(pcall(("x").rep))
--!!
local function try(...) print(pcall(...)) end
try(setmetatable({}, {__call = function(self, a) return a * 2 end}), 21)
--!!
local function try(...) print(pcall(...)) end
print(assert(1, "m"), assert("v")) try(assert, false) try(assert, nil, "custom") try(assert, false, 42)
--!!
local function try(...) print(pcall(...)) end
try(assert)
--!!
local function try(...) print(pcall(...)) end
local f = loadstring("return 1 + 1") print(f()) print(loadstring("syntax error here"))
--!!
local function try(...) print(pcall(...)) end
print(loadstring("return ...")(1, 2)) local f = loadstring("x = 5") print(pcall(f))
--!!
local function try(...) print(pcall(...)) end
print(type(loadstring("return 1", "=name"))) print(select(2, loadstring("error('e')", "=chunk")) == nil, pcall(loadstring("error('e')", "=chunk")))
--!!
local function try(...) print(pcall(...)) end
print(pcall(loadstring("local x = 'unfinished")) ) print(loadstring("x ="))
--!!
local function try(...) print(pcall(...)) end
print(loadstring("return 1", "@file.lua") ~= nil, select(2, loadstring("+", "@file.lua")))
--!!
local function try(...) print(pcall(...)) end
print(loadstring("for"), loadstring("a.b:c = 1"), loadstring("return return"))
--!!
local function try(...) print(pcall(...)) end
print(loadstring("x = = 1")) print(loadstring("local function end")) print(loadstring("f("))
--!!
local function try(...) print(pcall(...)) end
print(loadstring("return \"\\q\"")()) print(loadstring("return [[x")) print(loadstring("--[[ x"))
--!!
local function try(...) print(pcall(...)) end
print(loadstring("return 0x")) print(loadstring("return 1e")) print(loadstring("return 3..2"))
--!!
local function try(...) print(pcall(...)) end
print(loadstring("break")) print(loadstring("local a <const> = 1")) print(loadstring("goto x"))
--!!
local function try(...) print(pcall(...)) end
print(loadstring("return \"\\300\"")) print(loadstring("return 'a\nb'"))
--!!
local function try(...) print(pcall(...)) end
print(loadstring("x = }")) print(loadstring("(f)\n(g)")) print(loadstring("a, b"))
--!!
local function try(...) print(pcall(...)) end
print(string.dump ~= nil, gcinfo() > 0, collectgarbage("count") > 0, collectgarbage() , collectgarbage("step") ~= nil)
--!!
local function try(...) print(pcall(...)) end
print(_VERSION, _G._G == _G, _G.print == print)
--!!
local function try(...) print(pcall(...)) end
x = 10 print(_G.x, rawget(_G, "x")) _G.y = 20 print(y)
--!!
local function try(...) print(pcall(...)) end
local t = setmetatable({}, {__index = function(t, k) return k * 2 end}) print(t[21], t.x == nil or t.x)
