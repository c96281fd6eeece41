x = = 1
--!!
local function f()
  return 1
--!!
if true then
--!!
print("unfinished
--!!
print("abc
--!!
x = 3x
--!!
x = 1..2
--!!
for i = 1 do end
--!!
local t = {1, 2
--!!
f(
--!!
return return
--!!
x = [[ unfinished
--!!
--[[ unfinished comment
--!!
a.b:c = 1
--!!
x = 5 // 2
--!!
x = 1 & 2
--!!
goto done
--!!
local 1 = 2
--!!
break
--!!
print("a" "b")
--!!
(f)
--!!
x = }
--!!
local a = {[1] 2}
--!!
function f(a,) end
--!!
x = "\300"
--!!
while true do local x = 1 end end
--!!
x = ~1
--!!
print(...)
function g() return ... end
--!!
repeat local x = 1 until x == 1 print("ok")
--!!
local s = [==[
first newline skipped]==] print(s)
--!!
print(0x10, 0xff, 1e2, .5, 3., 0x)
