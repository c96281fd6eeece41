local a, b, c = 1, 2 print(a, b, c)
local x, y = 1, 2, 3 print(x, y)
a, b = b, a print(a, b)
--!!
local function f() return 1, 2, 3 end
local t = {f(), f()} print(#t)
local u = {f(), (f())} print(#u)
print(f(), f())
print((f()))
local p, q, r, s = f() print(p, q, r, s)
--!!
local function v(...) return select("#", ...), ... end
print(v()) print(v(nil)) print(v(1, nil, nil)) print(select(2, "a", "b", "c")) print(select(-1, "a", "b", "c"))
print(pcall(select, 0, 1))
--!!
local function sum(...) local s = 0 for i, x in ipairs({...}) do s = s + x end return s end print(sum(1, 2, 3, 4))
local function pack(...) return {n = select("#", ...), ...} end local pk = pack(1, nil, 3) print(pk.n, pk[1], pk[2], pk[3])
--!!
local fns = {} for i = 1, 3 do fns[i] = function() return i end end print(fns[1](), fns[2](), fns[3]())
local fs2 = {} local j = 1 while j <= 3 do local k = j fs2[j] = function() return k end j = j + 1 end print(fs2[1](), fs2[3]())
--!!
local function counter() local n = 0 return function() n = n + 1 return n end end
local c1, c2 = counter(), counter() print(c1(), c1(), c2(), c1())
--!!
for i = 10, 1, -3 do io = nil print(i) end
for i = 1, 2, 0.5 do print(i) end
for i = 1, 0 do print("never") end
for i = 0.1, 0.5, 0.1 do print(i) end
--!!
print(pcall(function() for i = 1, "x" do end end))
print(pcall(function() for i = nil, 2 do end end))
print(pcall(function() for i = 1, 2, {} do end end))
for i = "1", "3" do print(i) end
--!!
local i = 1 repeat local z = i i = i + 1 until z >= 3 print(i)
local n = 0 while true do n = n + 1 if n > 5 then break end end print(n)
--!!
if nil then print(1) elseif false then print(2) elseif 0 then print(3) else print(4) end
print(1 and 2, nil and 1, false or "x", nil or false, 1 or error("no"), false and error("no"))
--!!
local s = 0 for i = 1, 3 do for j = 1, 3 do if j == 2 then break end s = s + j end end print(s)
--!!
do local x = 1 do local x = 2 print(x) end print(x) end
local x = 10 local x = x + 1 print(x)
--!!
function g1() return "global fn" end print(g1())
local obj = {n = 0} function obj.inc(self) self.n = self.n + 1 return self end function obj:dec() self.n = self.n - 1 return self end
obj:inc():inc():dec() print(obj.n)
local a = {b = {c = {}}} function a.b.c.f() return "deep" end function a.b.c:m() return self == a.b.c end print(a.b.c.f(), a.b.c:m())
--!!
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end print(fact(10), fact(20), fact(25))
local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end print(fib(20))
--!!
print(2 ^ 3 ^ 2, -2 ^ 2, 1 .. 2 .. 3, "a" .. "b" == "ab", 1 + 2 * 3 - 4 / 2, (1 + 2) * 3, 7 - 3 - 2, not 1 == 2, 1 < 2 == true)
--!!
print(#"abc" + 1, -"2", - -2, not not nil)
--!!
local t = {} t[1], t[2] = 1 print(t[1], t[2])
local a, a2 = 1 print(a, a2)
--!!
goto = 1 print(goto)
--!!
local t = {1, 2} local i = 1 i, t[i] = i + 1, 20 print(i, t[1], t[2])
--!!
local s = "x" print(#s, s:rep(2), ("a"):byte())
print(type(_G), _G._G == _G, _VERSION, _G.print == print)
--!!
x = 5 print(x, _G.x) _G.y = 7 print(y)
--!!
print(load ~= nil, loadstring ~= nil, gcinfo() > 0, collectgarbage("count") > 0, collectgarbage())
--!!
local f = loadstring("return 1 + ...") print(f(41))
print(loadstring("x ="))
print(type(loadstring("return", "=mychunk")), loadstring("return +", "=mychunk"))
local parts = {"return ", "1", "+2"} local i = 0 print(load(function() i = i + 1 return parts[i] end)())
--!!
local f = loadstring("local a = ... return a * 2") print(f(21), pcall(loadstring("error('boom')")))
