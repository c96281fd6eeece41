local function try(...) print(pcall(...)) end
for _, v in ipairs({0.1, 0.5, 1/3, 2/3, 1e-10, 123456.789, 1e14, 1e15, 1e16, 99999999999999, 999999999999999, 1e300, 5e-324, 2^-1022}) do print(v) end
--!!
local function try(...) print(pcall(...)) end
for _, v in ipairs({-0.1, -1e20, 3.14159265358979, 2.5e-5, 1234567890123456789}) do print(v, string.format("%.14g", v)) end
--!!
local function try(...) print(pcall(...)) end
print(7 / 2, 7 % 2, -7 / 2, -7 % 2, 7 % -2, 0 % 5, 5.25 % 1, -5.25 % 1)
--!!
local function try(...) print(pcall(...)) end
print(2^53 + 1, 2^53 - 1, (2^53 + 1) % 2, 1e308 * 10, -1e308 * 10)
--!!
local function try(...) print(pcall(...)) end
print(math.floor(2^31 + 0.5), math.floor(-2^31 - 0.5), math.ceil(2^40 + 0.1))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%d %d %d", 3.99, -3.99, 1e10))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%5.3s|%-8.3e|%+08.2f|%x", "abcdef", 1234.5, -3.14159, 3000000000))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%g %g %g %g %g %g", 0, -0.0, 1e-5, 123456, 1234567, 0.0001234))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%.20f", 0.1), string.format("%.0e", 12345), string.format("%#.0f", 1))
--!!
local function try(...) print(pcall(...)) end
print(string.format("%o %x %X", 0, 0, 255), string.format("%5d|%-5d|%05.1f", -3, -3, -2.5))
--!!
local function try(...) print(pcall(...)) end
print(tostring(1e100):len(), tostring(-1e-100), 1e-320, -2^1023)
--!!
local function try(...) print(pcall(...)) end
print(0.1 + 0.7, 3 * 1.1, 100 * 1.1, 1 - 0.9)
--!!
local function try(...) print(pcall(...)) end
print(255 / 5, 256 / 1024, 10 / 3, -10 / 3, 1 / 7)
--!!
local function try(...) print(pcall(...)) end
print(tonumber("0x1p4"), tonumber("1e+2"), tonumber("+5"), tonumber("- 5"), tonumber("--5"), tonumber("5e-1"))
--!!
local function try(...) print(pcall(...)) end
print(tonumber("inf"), tonumber("nan"), tonumber("infinity"), tonumber(" 0X1a "), tonumber("1.5e3"))
--!!
local function try(...) print(pcall(...)) end
print(tonumber("7fffffff", 16), tonumber("-ff", 16), tonumber("1.5", 10), tonumber("", 10), tonumber(" ", 16))
--!!
local function try(...) print(pcall(...)) end
print(tonumber(10, 16), tonumber("z", 36), tonumber("Z", 36), tonumber("10", 36.5))
--!!
local function try(...) print(pcall(...)) end
print(1e15 .. "", 1e16 .. "", 123.0 .. "", -0.5 .. "", (2^63) .. "")
--!!
local function try(...) print(pcall(...)) end
print(math.huge == 1/0, -math.huge < -1e308, math.huge > 2^1023)
--!!
local function try(...) print(pcall(...)) end
print(5 // 2)
--!!
local function try(...) print(pcall(...)) end
print(3 == 3.0000000000000001, 0.1 * 3 == 0.3, 1e16 + 1 == 1e16)
--!!
local function try(...) print(pcall(...)) end
local t = {} t[1e300] = 1 t[-1e300] = 2 t[2^70] = 3 print(t[1e300], t[-1e300], t[2^70])
--!!
local function try(...) print(pcall(...)) end
print(#tostring(12345.678901234567), tostring(12345.678901234567))
--!!
local function try(...) print(pcall(...)) end
print(string.rep("9", 20) + 0, "1" .. string.rep("0", 30) + 0)
--!!
local function try(...) print(pcall(...)) end
print(8 ^ (1/3), (-8) ^ (1/3) ~= (-8) ^ (1/3), 0 ^ 0, 0 ^ -1, (-0) ^ -1)
