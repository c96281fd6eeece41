print(1, -1, 0.5, 1e100, -1e-100, 2^53, 2^53+1, 2^63, 1e15, 1e14, 123456789012345, 1234567890123456)
--!!
print(1/0, -1/0, 100/3, 1/3, 2/3, 0.1+0.2, 3.0, -3.5, 1e308*10)
--!!
print(10/2, 7 % 3, -7 % 3, 7 % -3, 5.5 % 2, 2^10, 2^0.5, (-8)^(1/3))
--!!
print("10" + 1, "3" * "4", "0x10" + 0, " 5 " * 2, 10 .. 20, 1.5 .. "", 2^63 .. "")
--!!
print(tonumber("0x1F"), tonumber("  12  "), tonumber("1e2"), tonumber("abc"), tonumber("12a"), tonumber(""), tonumber("10", 2), tonumber("ff", 16), tonumber("zz", 36), tonumber("8", 8))
--!!
print(math.floor(-3.5), math.ceil(-3.5), math.abs(-2), math.sqrt(16), math.fmod(7, 3), math.fmod(-7, 3), math.modf(3.7), math.modf(-3.7))
--!!
print(math.frexp(8), math.frexp(0.3), math.ldexp(0.5, 4), math.log(1), math.log10(1000), math.exp(0), math.pow(2, 8), math.deg(math.pi), math.rad(180))
--!!
print(math.max(3, 1, 2), math.min(3, 1, 2), math.huge, -math.huge, math.pi, math.mod(7, 3))
--!!
print(pcall(math.max))
print(pcall(math.floor, "x"))
--!!
print(string.format("%d %5d %-5d| %05d %x %X %o", 42, 42, 42, 42, 255, 255, 8))
print(string.format("%f %.2f %10.3f %e %g %g %g", 3.14159, 3.14159, 3.14159, 12345.678, 0.0001, 1e20, 100))
print(string.format("%s %10s %-10s| %q", "a", "b", "c", 'he said "hi"\n\0'))
print(string.format("%c%c%c", 76, 117, 97), string.format("%%"), string.format("%5.1s|", "abc"))
--!!
print(8 % 3.5, 2^-1, -2^2, not nil, not 0, 1 == 1.0, "1" == 1, 0.1 + 0.7)
--!!
local a = 0.1 for i = 1, 10 do a = a + 0.1 end print(a, a == 1.1)
--!!
print(2^31, 2^32, -2^31, 4294967296 * 4294967296, 1e300 * 1e10, -(0/0) ~= -(0/0))
--!!
print(tostring(1e15), tostring(1e16), tostring(123.456), tostring(-0.0001), 5 // 2)
