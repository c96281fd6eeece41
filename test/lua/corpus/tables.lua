local t = {1, 2, 3, nil, 5} print(#t)
print(#{1, nil, 3}, #{nil, nil, 3}, #{1, 2, nil}, #{n = 1}, #{})
--!!
local t = {} t[1] = 1 t[2] = 2 t[4] = 4 print(#t)
local u = {1, 2, 3} u[2] = nil print(#u) u[3] = nil print(#u)
--!!
local t = {} for i = 1, 10 do t[i] = i end t[5] = nil print(#t) t[10] = nil print(#t)
--!!
local t = {10, 20, 30}
table.insert(t, 40) table.insert(t, 1, 5) print(table.concat(t, ","))
print(table.remove(t), table.remove(t, 1), table.concat(t, ","), table.remove({}), #t)
--!!
print(table.getn({1, 2, 3}), table.maxn({1, 2, [10] = 3, [2.5] = 1}), pcall(table.setn, {}, 1))
--!!
local t = {5, 3, 8, 1, 9, 2, 7, 4, 6, 0}
table.sort(t) print(table.concat(t, " "))
table.sort(t, function(a, b) return a > b end) print(table.concat(t, " "))
local w = {"pear", "apple", "fig", "banana"} table.sort(w) print(table.concat(w, " "))
--!!
print(pcall(table.sort, {3, 1, "x"}))
print(pcall(table.sort, {1, 2, 3, 4, 5}, function(a, b) return true end))
--!!
local t = {} for i = 1, 100 do t[i] = (i * 37) % 101 end table.sort(t) local ok = true for i = 2, 100 do if t[i-1] > t[i] then ok = false end end print(ok, t[1], t[100])
--!!
print(table.concat({}), table.concat({1, "a", 2.5}, "-"), table.concat({1, 2, 3}, ",", 2, 3), pcall(table.concat, {1, {}, 3}))
--!!
table.foreach({10, 20}, print) table.foreachi({"a", "b"}, print)
--!!
local t = {a = 1, b = 2, c = 3} local keys = {} for k, v in pairs(t) do keys[#keys + 1] = k .. "=" .. v end table.sort(keys) print(table.concat(keys, " "))
--!!
local t = {1, 2, 3, x = 1} local n = 0 for k, v in next, t do n = n + 1 end print(n, next({}), rawget(t, 1), rawequal(t, t), rawlen)
--!!
local t = {[1] = "a", [2] = "b", "c"} print(t[1], t[2], #t)
local u = {"c", [1] = "a"} print(u[1])
--!!
local t = {f = function(self, x) return x * 2 end} print(t:f(21), t.f(t, 1))
--!!
local t = setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, v * 2) end}) t.a = 5 print(t.a)
--!!
print(unpack({1, 2, 3})) print(unpack({1, 2, 3}, 2)) print(unpack({1, 2, 3}, 2, 5)) print(select("#", unpack({}, 1, 3)))
--!!
local t = {1, 2, 3} for i, v in ipairs(t) do t[i] = v * 10 end print(t[1], t[2], t[3])
local m = {} m[1.0] = "one" m[2] = "two" print(m[1], m[2.0], #m)
--!!
print(pcall(function() local t = {} t[nil] = 1 end))
print(pcall(function() local t = {} t[0/0] = 1 end))
print(pcall(rawset, {}, nil, 1))
--!!
local t = {} t.x = 1 t.y = 2 t.x = nil for k in pairs(t) do print(k) end
--!!
local big = {} for i = 1, 1000 do big[#big + 1] = i end print(#big, big[1000])
