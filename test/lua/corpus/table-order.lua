local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
keys({a = 1, b = 2, c = 3})
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
keys({x = 1, y = 2, z = 3, w = 4, v = 5})
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
keys({alpha = 1, beta = 2, gamma = 3, delta = 4, epsilon = 5, zeta = 6, eta = 7, theta = 8, iota = 9})
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 64 do t["k" .. i] = i end keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 33 do t[i * 1.5] = i end keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 20 do t[-i] = i end keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 0, 20 do t[i] = i end keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 20, 1, -1 do t[i] = i end keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} t[1] = 1 t[3] = 3 t[5] = 5 t[7] = 7 keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} t[2^31] = 1 t[2^32] = 2 t[2^33 + 1] = 3 t[-2^31] = 4 t[1e15] = 5 keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} t[0.5] = 1 t[0.25] = 2 t[0.125] = 3 t[1/3] = 4 t[math.pi] = 5 keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {[true] = 1, [false] = 2, t = 3, f = 4} keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {"a", "b", "c", n = 3, [4] = "d", [6] = "f"} keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10} t[5] = nil t[11] = 11 t.s = 1 keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 10 do t[i] = i end for i = 1, 10 do t[i] = nil end t.x = 1 keys(t) print(#t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {a = 1, b = 2, c = 3} t.b = nil keys(t) t.d = 4 keys(t) t.b = 5 keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 16 do t["s" .. i] = i end for i = 1, 16, 2 do t["s" .. i] = nil end t.new1 = 1 t.new2 = 2 keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 8 do t["s" .. i] = i end for k in pairs(t) do t[k] = nil end for i = 9, 12 do t["s" .. i] = i end keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 100 do t[i] = i end for i = 1, 100 do if i % 2 == 0 then t[i] = nil end end t.z = 0 keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 5 do t[i] = i t[tostring(i)] = i t[i + 0.5] = i end keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} t.x = 1 t.y = 2 t[1] = "a" t[2] = "b" t[3] = "c" t[4] = "d" t[5] = "e" keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {10, 20, 30} table.insert(t, 40) table.insert(t, 1, 5) t.k = "v" keys(t) table.remove(t, 2) keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for _, w in ipairs({"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog"}) do t[w] = #w end keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 200 do t["key" .. i] = i end local n, s = 0, "" for k, v in pairs(t) do n = n + 1 if n <= 10 then s = s .. k .. " " end end print(n, s)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {x = 1} for i = 1, 30 do t["g" .. i] = i t["g" .. (i - 1)] = nil end keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {["a b"] = 1, ["\0"] = 2, [""] = 3, ["\255"] = 4, ["ab"] = 5, ["ba"] = 6} local o = {} for k in pairs(t) do o[#o + 1] = #k end print(table.concat(o, ","))
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 31 do t[string.rep("a", i)] = i end local o = {} for k, v in pairs(t) do o[#o + 1] = v end print(table.concat(o, ","))
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {1, 2, 3, [10] = 10, [20] = 20, [30] = 30, a = "a"} keys(t) print(#t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {n = 0} for i = 1, 9 do t[i] = i * i end keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local k, v = next({}) print(k, v) print(next({5})) print(next({a = 1})) print(next({1, 2}, 1))
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {a = 1, b = 2} local k = next(t) t[k] = nil print(next(t, k) ~= k)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
print(pcall(next, {}, "nokey"))
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {1, 2, 3} print(pcall(next, t, 4))
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = setmetatable({}, {__index = {a = 1}}) t.b = 2 keys(t) print(t.a)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 12 do t[i % 4 == 0 and i or ("s" .. i)] = i end keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {3, 4, x = 1, 5, y = 2, 6} keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {[1] = "a", [2] = "b", "c"} keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {[3] = "x", 1, 2} keys(t) print(#t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 17 do t[#t + 1] = i end t.x = 1 keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17} t[18] = 18 t.y = 1 keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local function f() return 1, 2, 3 end local t = {f(), f()} t.z = 1 keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} t[1.0] = "one" t[2] = "two" t["1"] = "s" keys(t)
--!!
local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end print(table.concat(o, " ")) end
local t = {} for i = 1, 40 do t[i] = i end for i = 1, 35 do t[i] = nil end for i = 1, 3 do t["n" .. i] = i end keys(t) print(#t)
