print(("hello"):upper(), string.lower("HeLLo"), string.len("abc\0def"), #"abc", ("x"):rep(3), string.rep("ab", 3, ","))
--!!
print(string.sub("hello", 2, 4), ("hello"):sub(-3), ("hello"):sub(2), ("hello"):sub(0), ("hello"):sub(10), ("hello"):sub(-100, 2), ("hello"):sub(3, 2))
--!!
print(string.byte("ABC"), string.byte("ABC", 2), string.byte("ABC", 1, 3), string.byte("ABC", -1), string.byte(""), string.char(72, 105), string.char())
--!!
print(pcall(string.char, 256))
print(pcall(string.rep))
--!!
print(string.reverse("abc"), string.find("abc", "b"), string.find("a.b", ".", 1, true), string.find("abc", "x"), string.find("abc", "", 10), string.find("abc", "", 4))
--!!
print(string.match("hello 123 world", "%d+"), string.match("key = value", "(%w+)%s*=%s*(%w+)"), string.match("abc", "()b()"), string.match("  trim  ", "^%s*(.-)%s*$"))
--!!
for w in string.gmatch("one two three", "%a+") do print(w) end
for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do print(k, v) end
--!!
print(string.gsub("hello world", "o", "0"), string.gsub("hello", "l", "L", 1), string.gsub("abc", "%w", "%0%0"), string.gsub("hello world", "(%w+)", "<%1>"))
--!!
print(string.gsub("$name is $age", "%$(%w+)", {name = "bob", age = 42}))
print(string.gsub("abc", ".", function(c) if c == "b" then return nil end return c:upper() end))
--!!
print(pcall(string.gsub, "abc", "(", "x"))
print(pcall(string.find, "abc", "[a"))
print(pcall(string.rep, "x", -1))
--!!
print(("%d"):format(5), ("abc"):len(), ("a,b,c"):find(",", 3))
--!!
print("a" < "b", "abc" < "abd", "Z" < "a", "" < "a", "a\0b" < "a\0c", "10" < "9")
--!!
print("multi\
line", [[long
string]], [==[with ]] inside]==], "tab\tand\\backslash", "\65\066\0671", "\x41", 'single \'q\'')
--!!
local s = "" for i = 1, 5 do s = s .. i end print(s, #s)
--!!
print(tostring(nil), tostring(true), tostring(12), type("x"), type(print), type(nil), type({}), type(2))
--!!
print(string.format("%5.2s|%-3c|", "xyz", 65), string.format("%.3f", 2/3), string.format("%g", 2^53), string.format("%.14g", 0.1))
--!!
print(pcall(string.format, "%d", "x"))
print(pcall(string.format, "%z", 1))
--!!
print(string.gfind ~= nil, string.dump ~= nil, pcall(string.dump, print))
