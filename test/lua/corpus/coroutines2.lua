local function try(...) print(pcall(...)) end
local co = coroutine.create(function(a, b) local c = coroutine.yield(a + b) local d, e = coroutine.yield(c * 2) return d + e end) print(coroutine.resume(co, 1, 2)) print(coroutine.resume(co, 10)) print(coroutine.resume(co, 3, 4)) print(coroutine.resume(co)) print(coroutine.status(co))
--!!
local function try(...) print(pcall(...)) end
local co = coroutine.create(function() error("oops") end) print(coroutine.resume(co)) print(coroutine.status(co))
--!!
local function try(...) print(pcall(...)) end
local co = coroutine.create(function() error({}) end) local ok, e = coroutine.resume(co) print(ok, type(e))
--!!
local function try(...) print(pcall(...)) end
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end) print(gen(), gen(), gen()) print(pcall(gen)) print(pcall(gen))
--!!
local function try(...) print(pcall(...)) end
local co co = coroutine.create(function() print(coroutine.status(co)) print(coroutine.running() == co) end) print(coroutine.status(co)) coroutine.resume(co) print(coroutine.status(co))
--!!
local function try(...) print(pcall(...)) end
print(coroutine.running()) print(pcall(coroutine.yield, 1))
--!!
local function try(...) print(pcall(...)) end
local co = coroutine.create(function() return 1, 2, 3 end) print(coroutine.resume(co)) print(coroutine.resume(co))
--!!
local function try(...) print(pcall(...)) end
local function producer() return coroutine.wrap(function() for _, v in ipairs({"a", "b", "c"}) do coroutine.yield(v) end end) end for v in producer() do print(v) end
--!!
local function try(...) print(pcall(...)) end
local co = coroutine.wrap(function(...) print(select("#", ...), ...) local x = {coroutine.yield()} print(#x) end) co(1, nil, 3) co(nil, nil)
--!!
local function try(...) print(pcall(...)) end
print(pcall(coroutine.create, 1)) print(pcall(coroutine.resume, 1)) print(pcall(coroutine.status, nil)) print(pcall(coroutine.wrap))
--!!
local function try(...) print(pcall(...)) end
local outer = coroutine.create(function() local inner = coroutine.create(function() coroutine.yield("inner") return "inner done" end) print(coroutine.resume(inner)) coroutine.yield("outer") print(coroutine.resume(inner)) end) print(coroutine.resume(outer)) print(coroutine.resume(outer))
--!!
local function try(...) print(pcall(...)) end
local co co = coroutine.create(function() print(coroutine.resume(co)) end) coroutine.resume(co)
--!!
local function try(...) print(pcall(...)) end
local w = coroutine.wrap(function() error("in wrap") end) print(pcall(w))
--!!
local function try(...) print(pcall(...)) end
local w = coroutine.wrap(function() error({code = 7}) end) local ok, e = pcall(w) print(ok, type(e), e.code)
--!!
local function try(...) print(pcall(...)) end
local co = coroutine.create(function() local t = {} for i = 1, 3 do t[i] = coroutine.yield(i) end return table.concat(t, ",") end) local _, v = coroutine.resume(co) while coroutine.status(co) ~= "dead" do _, v = coroutine.resume(co, v * 10) end print(v)
--!!
local function try(...) print(pcall(...)) end
local function fib() local a, b = 0, 1 return coroutine.wrap(function() while true do coroutine.yield(a) a, b = b, a + b end end) end local f = fib() local t = {} for i = 1, 10 do t[i] = f() end print(table.concat(t, " "))
--!!
local function try(...) print(pcall(...)) end
local co = coroutine.create(function() local ok, e = pcall(error, "inside") coroutine.yield(ok, e) return "end" end) print(coroutine.resume(co)) print(coroutine.resume(co))
--!!
local function try(...) print(pcall(...)) end
local co = coroutine.create(print) print(coroutine.resume(co, "direct", 1))
--!!
local function try(...) print(pcall(...)) end
print(select("#", coroutine.resume(coroutine.create(function() end))))
--!!
local function try(...) print(pcall(...)) end
local co = coroutine.create(function() coroutine.yield() end) coroutine.resume(co) coroutine.resume(co) print(coroutine.resume(co))
