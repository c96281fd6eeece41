local function try(...) print(pcall(...)) end
print(string.len(""), string.len("abc"), ("x"):len(), #"\0\0")
--!!
local function try(...) print(pcall(...)) end
print(string.sub("hello", 2), string.sub("hello", -3), string.sub("hello", 2, -2), string.sub("hello", 0), string.sub("hello", 10), string.sub("hello", -100, 2))
--!!
local function try(...) print(pcall(...)) end
print(("hello"):sub(3, 2), ("hello"):sub(-1, -1), ("hello"):sub(2.7, 3.2))
--!!
local function try(...) print(pcall(...)) end
print(string.upper("aBc1"), string.lower("AbC\200"), string.reverse("abc"), string.reverse(""))
--!!
local function try(...) print(pcall(...)) end
print(string.rep("ab", 3), string.rep("x", 0), string.rep("x", -1), string.rep("", 5))
--!!
local function try(...) print(pcall(...)) end
print(string.byte("ABC"), string.byte("ABC", 2), string.byte("ABC", 1, 3), string.byte("ABC", -1), string.byte("", 1))
--!!
local function try(...) print(pcall(...)) end
print(string.char(), string.char(65, 66, 67), #string.char(0, 255))
--!!
local function try(...) print(pcall(...)) end
try(string.char, 256) try(string.char, -1) try(string.char, "x")
--!!
local function try(...) print(pcall(...)) end
try(string.rep) try(string.rep, "x") try(string.sub) try(string.upper)
--!!
local function try(...) print(pcall(...)) end
print(string.find("hello world", "o"), string.find("hello world", "o", 6), string.find("hello", "l+"))
--!!
local function try(...) print(pcall(...)) end
print(string.find("a.b", ".", 1, true), string.find("a.b", "%."), string.find("abc", "b", -1), string.find("abc", "", 10))
--!!
local function try(...) print(pcall(...)) end
print(string.find("abc", "", 4), string.find("abc", "", 3), string.find("", ""))
--!!
local function try(...) print(pcall(...)) end
print(string.find("hello", "(l)(l)"), string.find("hello", "()ll()"))
--!!
local function try(...) print(pcall(...)) end
print(string.match("key=value", "(%w+)=(%w+)"), string.match("  trim  ", "^%s*(.-)%s*$"), string.match("abc", "x"))
--!!
local function try(...) print(pcall(...)) end
print(string.match("2024-01-15", "(%d+)-(%d+)-(%d+)"))
--!!
local function try(...) print(pcall(...)) end
print(string.match("hello", ".-"), string.match("hello", ".*"), string.match("hello", "l*"), string.match("hello", "l-o"))
--!!
local function try(...) print(pcall(...)) end
print(string.match("[test]", "%[(.*)%]"), string.match("a+b", "a%+b"), string.match("f(x)", "%((%w)%)"))
--!!
local function try(...) print(pcall(...)) end
print(string.match("THE (quick) fox", "%((%a+)%)"), string.match("x = 10", "()=()"))
--!!
local function try(...) print(pcall(...)) end
print(string.match("hello", "%f[%w]%w+"), string.match("  word", "%f[%S].*"))
--!!
local function try(...) print(pcall(...)) end
print(string.match("abcabc", "(abc)%1"), string.match("abab", "(ab)%1"), string.match("aXa", "(.)X%1"))
--!!
local function try(...) print(pcall(...)) end
print(string.match("{a{b}c}", "%b{}"), string.match("(()", "%b()"), string.match("x", "%bxy"))
--!!
local function try(...) print(pcall(...)) end
print(string.gsub("hello world", "o", "0"), string.gsub("hello", "", "-"), string.gsub("abc", "%w", "%0%0"))
--!!
local function try(...) print(pcall(...)) end
print(string.gsub("hello world", "(%w+)", "<%1>"), string.gsub("abc", "b", "%%"))
--!!
local function try(...) print(pcall(...)) end
print(string.gsub("hello world", "%w+", {hello = "HI", world = false}), string.gsub("abc", ".", {a = 1, b = true}))
--!!
local function try(...) print(pcall(...)) end
print(string.gsub("abc", "%w", function(c) if c == "b" then return nil end return c:upper() end))
--!!
local function try(...) print(pcall(...)) end
print(string.gsub("a,b,,c", ",", ";", 2), string.gsub("aaa", "a", "b", 0), string.gsub("aaa", "a*", "-"))
--!!
local function try(...) print(pcall(...)) end
try(string.gsub, "abc", "(", "x") try(string.gsub, "abc", "%", "x") try(string.gsub, "abc", "[a", "x")
--!!
local function try(...) print(pcall(...)) end
try(string.gsub, "abc", "a", "%2") try(string.gsub, "abc", "(a)", "%2") try(string.find, "a", "(()")
--!!
local function try(...) print(pcall(...)) end
try(string.gsub, "x", "x", 1)
--!!
local function try(...) print(pcall(...)) end
for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do print(k, v) end
--!!
local function try(...) print(pcall(...)) end
for w in string.gmatch("one two  three", "%a+") do print(w) end for p in string.gmatch("abc", "()") do io = nil print(p) end
--!!
local function try(...) print(pcall(...)) end
local it = string.gmatch("x1y2", "%a(%d)") print(it(), it(), it())
--!!
local function try(...) print(pcall(...)) end
print(string.gfind ~= nil, string.gmatch("abc", "b")())
--!!
local function try(...) print(pcall(...)) end
print(("%d items"):format(5), string.format("%5.2f|%-5d|%05d", 3.14159, 42, 7))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%s %s %s", 1, 1.5, "x"), string.format("%q", "a\nb\"c\0d\r"))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%x %X %o %c %e %E %g %G", 255, 255, 8, 65, 12345.678, 0.000123, 1e20, 1e-5))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%i %u", 3.7, 42), string.format("%%"), string.format("%5s|%-5s|%.2s", "ab", "ab", "abcdef"))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%.3g|%.10g|%g|%g|%g", 1/3, 1/3, 100000, 1000000, 1e-4))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%+d % d %+.1f %#x %#o", 5, 5, 2.5, 255, 8))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, -0.5))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%d", -0), string.format("%d", 2^31), string.format("%d", -2^31), string.format("%.14g", 2^53))
--!!
local function try(...) print(pcall(...)) end
try(string.format, "%d", "x") try(string.format, "%y", 1) try(string.format, "%d") try(string.format, "%10.123f", 1)
--!!
local function try(...) print(pcall(...)) end
try(string.format, "%s") print(string.format("%s", nil), string.format("%s", true), string.format("%5.1s|", "xyz"))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%q", 1/3), string.format("%q", "\1\2\127\200"))
--!!
local function try(...) print(pcall(...)) end
print(string.format("[%10.3s]", "hello"), string.format("%-10.4f|", math.pi), string.format("%020.5e", -math.pi))
--!!
local function try(...) print(pcall(...)) end
print(tostring(1e15), tostring(1e16), tostring(123456789012345), tostring(0.1), tostring(-1.5e-7), tostring(2^63))
--!!
local function try(...) print(pcall(...)) end
print(1/0, -1/0, tostring(0/0) == tostring(0/0), 3 % -2, -3 % 2, 5.5 % 2, -5.5 % 2, 2^0.5)
--!!
local function try(...) print(pcall(...)) end
print(10 / 4, 7 // 1 == nil)
--!!
local function try(...) print(pcall(...)) end
print(tonumber("0x1F"), tonumber("  12  "), tonumber("1e2"), tonumber("1e"), tonumber(""), tonumber("0x"), tonumber(".5"), tonumber("5."), tonumber("abc"))
--!!
local function try(...) print(pcall(...)) end
print(tonumber("10", 2), tonumber("ff", 16), tonumber("FF", 16), tonumber("zz", 36), tonumber("8", 8), tonumber("777", 8), tonumber(" 11 ", 2))
--!!
local function try(...) print(pcall(...)) end
try(tonumber, "10", 1) try(tonumber, "10", 37) print(tonumber(nil))
--!!
local function try(...) print(pcall(...)) end
print(tonumber("1e309"), tonumber("-0"), tonumber("0x7fffffff"), tonumber("  0x10  "), tonumber("1 2"))
--!!
local function try(...) print(pcall(...)) end
print("10" + 5, "3" * "4", "2" ^ 2, -"3", "0x10" + 0, " 5 " + 1)
--!!
local function try(...) print(pcall(...)) end
try(function() return "a" + 1 end) try(function() return {} .. "x" end) try(function() return nil .. "x" end)
--!!
local function try(...) print(pcall(...)) end
print(1 .. 2, 1.5 .. "", -0.0 .. "", 2^53 .. "", 1e100 .. "")
--!!
local function try(...) print(pcall(...)) end
print(math.floor(3.7), math.floor(-3.7), math.ceil(3.2), math.ceil(-3.2), math.abs(-4), math.abs(4))
--!!
local function try(...) print(pcall(...)) end
print(math.max(1, 5, 3), math.min(1, 5, 3), math.max(-1), math.huge, -math.huge, math.pi)
--!!
local function try(...) print(pcall(...)) end
try(math.max) try(math.min) try(math.floor, "x") print(math.floor("3.5"))
--!!
local function try(...) print(pcall(...)) end
print(math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3), math.fmod(1, 0) ~= math.fmod(1, 0))
--!!
local function try(...) print(pcall(...)) end
print(math.modf(3.7), math.modf(-3.7), math.modf(5), math.modf(1/0))
--!!
local function try(...) print(pcall(...)) end
print(math.sqrt(16), math.sqrt(2), math.exp(0), math.log(1), math.log10(1000), math.pow(2, 10))
--!!
local function try(...) print(pcall(...)) end
print(math.sin(0), math.cos(0), math.tan(0), math.asin(1), math.acos(1), math.atan(1), math.atan2(1, 1), math.atan2(-1, -1))
--!!
local function try(...) print(pcall(...)) end
print(math.sinh(0), math.cosh(0), math.tanh(0), math.deg(math.pi), math.rad(180))
--!!
local function try(...) print(pcall(...)) end
print(math.frexp(8), math.frexp(0), math.frexp(-3), math.ldexp(0.5, 4), math.ldexp(1, -1))
--!!
local function try(...) print(pcall(...)) end
print(math.mod(7, 3), math.log(0), math.sqrt(-1) ~= math.sqrt(-1))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%.17g", 0.1), string.format("%.17g", 1/3), 0.1 + 0.2 == 0.3, 0.1 + 0.2)
--!!
local function try(...) print(pcall(...)) end
print(100, -100, 1e100, 123.456, 0.000001, 1e-7, 12345678901234567890)
--!!
local function try(...) print(pcall(...)) end
print(2^24, 2^31, 2^32, 2^52, 2^53, 2^63, 2^64, -2^63)
--!!
local function try(...) print(pcall(...)) end
print(8 % 3.5, -8 % 3.5, 2^-1074, 2^1023 * 2, 5 % 0 ~= 5 % 0, 0/0 ~= 0/0)
--!!
local function try(...) print(pcall(...)) end
print(math.floor(-0.0), 1/math.floor(-0.0), math.ceil(-0.5), -0.0 == 0.0)
--!!
local function try(...) print(pcall(...)) end
print(type(nil), type(1), type("s"), type({}), type(print), type(true), type(coroutine.create(function() end)))
--!!
local function try(...) print(pcall(...)) end
try(type)
--!!
local function try(...) print(pcall(...)) end
print(select("#"), select("#", nil, nil), select(2, "a", "b", "c"), select(-1, "a", "b", "c"))
--!!
local function try(...) print(pcall(...)) end
try(select, 0, "a") try(select, -5, "a") try(select, "x")
--!!
local function try(...) print(pcall(...)) end
print(unpack({1, 2, 3})) print(unpack({1, 2, 3}, 2)) print(unpack({1, 2, 3}, 2, 3)) print(unpack({}, 1, 2)) print(unpack({1, 2}, 3))
--!!
local function try(...) print(pcall(...)) end
print(rawequal(1, 1), rawequal({}, {}), rawequal("a", "a"), rawget({5}, 1), rawlen == nil)
--!!
local function try(...) print(pcall(...)) end
local t = {} rawset(t, "a", 1) print(t.a, rawget(t, "b")) try(rawset, t, nil, 1) try(rawget, 1, 1)
--!!
local function try(...) print(pcall(...)) end
print(tostring(nil), tostring(true), tostring(123), tostring("x"))
--!!
local function try(...) print(pcall(...)) end
try(tostring) try(tonumber) try(setmetatable, 1, {}) try(setmetatable, {}, 1) try(getmetatable)
--!!
local function try(...) print(pcall(...)) end
print(getmetatable("abc").__index == string, getmetatable({}), getmetatable(1))
--!!
local function try(...) print(pcall(...)) end
local t = setmetatable({}, {__metatable = "locked"}) print(getmetatable(t)) try(setmetatable, t, {})
--!!
local function try(...) print(pcall(...)) end
print(table.concat({1, 2, 3}), table.concat({1, 2, 3}, ", "), table.concat({1, 2, 3}, "-", 2), table.concat({1, 2, 3}, "-", 2, 1), table.concat({}, "x"))
--!!
local function try(...) print(pcall(...)) end
try(table.concat, {1, {}, 3}) try(table.concat, {1, 2}, ",", 1, 3) print(table.concat({"a", 1.5, 2}, "|"))
--!!
local function try(...) print(pcall(...)) end
local t = {5, 2, 8, 1, 9, 3} table.sort(t) print(table.concat(t, " ")) table.sort(t, function(a, b) return a > b end) print(table.concat(t, " "))
--!!
local function try(...) print(pcall(...)) end
local t = {"banana", "apple", "Cherry", "date"} table.sort(t) print(table.concat(t, " "))
--!!
local function try(...) print(pcall(...)) end
try(table.sort, {1, "a", 2}) try(table.sort, {3, 2, 1}, 5)
--!!
local function try(...) print(pcall(...)) end
local t = {} for i = 1, 100 do t[i] = (i * 37) % 101 end table.sort(t) local ok = true for i = 2, 100 do ok = ok and t[i - 1] <= t[i] end print(ok, t[1], t[100])
--!!
local function try(...) print(pcall(...)) end
local t = {{n = 3}, {n = 1}, {n = 2}} table.sort(t, function(a, b) return a.n < b.n end) print(t[1].n, t[2].n, t[3].n)
--!!
local function try(...) print(pcall(...)) end
local t = {1, 2, 3} table.insert(t, 4) table.insert(t, 1, 0) print(table.concat(t, ",")) print(table.remove(t), table.remove(t, 1), table.concat(t, ","))
--!!
local function try(...) print(pcall(...)) end
local t = {} print(table.remove(t), #t) table.insert(t, "a") print(table.remove(t, 1), #t)
--!!
local function try(...) print(pcall(...)) end
try(table.insert, {}, 1, 2, 3) try(table.insert, nil, 1) try(table.insert, {})
--!!
local function try(...) print(pcall(...)) end
print(table.getn({1, 2, 3}), table.maxn({1, 2, [10] = 3, [5.5] = 1}), table.maxn({}))
--!!
local function try(...) print(pcall(...)) end
local t = {} table.setn = nil print(table.foreach ~= nil, table.foreachi ~= nil)
--!!
local function try(...) print(pcall(...)) end
table.foreach({a = 1}, print) table.foreachi({"x", "y"}, print)
--!!
local function try(...) print(pcall(...)) end
print(#{1, 2, nil, 4}, #{nil, nil, 3}, #{1, nil}, #{n = 1})
--!!
local function try(...) print(pcall(...)) end
local t = {} t[1] = 1 t[2] = 2 t[4] = 4 print(#t) t[3] = 3 print(#t)
--!!
local function try(...) print(pcall(...)) end
print(string.format("%5.1f", 2.25), string.format("%.2f", 2.675), string.format("%.3f", 1e-10))
--!!
local function try(...) print(pcall(...)) end
print(#string.format("%099d", 1), pcall(string.format, "%100d", 1))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%c%c%c", 76, 117, 97), string.format("%-3c|", 65), string.format("%3c|", 65))
--!!
local function try(...) print(pcall(...)) end
print(("x"):rep(3, ","))
--!!
local function try(...) print(pcall(...)) end
print(string.find("abc", "[a-", 1))
--!!
local function try(...) print(pcall(...)) end
try(string.find, "abc", "[a-")
--!!
local function try(...) print(pcall(...)) end
print(string.match("hello123world", "%a+(%d+)%a+"), string.match("x", "()"), string.match("abc", "^(a)"), string.match("abc", "^b"))
--!!
local function try(...) print(pcall(...)) end
print(string.find("aaa", "a-", 2), string.find("abc", "c$"), string.find("a$c", "$c"), string.find("abc", "^"))
--!!
local function try(...) print(pcall(...)) end
print(string.match("  x", "^%s*()"), string.match("caf\233", "%a+"), string.match("\0ab", "%z"), string.match("a.b", "[%.]"))
--!!
local function try(...) print(pcall(...)) end
print(string.match("x1_y", "[%w_]+"), string.match("ABC", "[^A]+"), string.match("a-b", "[a%-]+"), string.match("]", "[]]"))
--!!
local function try(...) print(pcall(...)) end
print(string.match("0x1F", "^0[xX](%x+)$"), string.match("tab\there", "%c"), string.match("punct!", "%p"), string.match("UP low", "%u+ (%l+)"))
--!!
local function try(...) print(pcall(...)) end
print(string.gsub("abc", "", "/"), string.gsub("", "", "x"), string.gsub("abc", ".-", "#"))
--!!
local function try(...) print(pcall(...)) end
print(string.gsub("hello", "l", {l = 1.5}), string.gsub("x", "x", 2))
--!!
local function try(...) print(pcall(...)) end
try(string.gsub, "abc", "b", {b = {}}) try(string.gsub, "abc", "b", function() return {} end)
