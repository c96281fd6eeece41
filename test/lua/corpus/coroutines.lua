local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got2", d, e)
  return "end", 99
end)
print(coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, "x", "y"))
print(coroutine.status(co))
print(coroutine.resume(co))
--!!
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end return "done" end)
print(gen(), gen(), gen(), gen())
print(pcall(gen))
--!!
local co = coroutine.create(function() error("inside") end) print(coroutine.resume(co)) print(coroutine.status(co))
local co2 = coroutine.create(function() error({x = 1}) end) local ok, e = coroutine.resume(co2) print(ok, type(e), e.x)
--!!
print(coroutine.running())
local co co = coroutine.create(function() print(coroutine.running() == co, coroutine.status(co)) end) coroutine.resume(co)
--!!
print(pcall(coroutine.resume, 1))
print(pcall(coroutine.create, 1))
--!!
local function producer() return coroutine.create(function() for _, v in ipairs({"a", "b", "c"}) do coroutine.yield(v) end end) end
local p = producer() local out = {} while true do local ok, v = coroutine.resume(p) if not v then break end out[#out + 1] = v end print(table.concat(out))
--!!
local outer = coroutine.create(function()
  local inner = coroutine.create(function() coroutine.yield("inner1") return "inner done" end)
  print(coroutine.resume(inner)) coroutine.yield("outer1") print(coroutine.resume(inner)) print(coroutine.status(inner))
end)
print(coroutine.resume(outer)) print(coroutine.resume(outer)) print(coroutine.status(outer))
--!!
local w = coroutine.wrap(function() error("wrapped error") end) print(pcall(w))
