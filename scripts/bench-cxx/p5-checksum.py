#!/usr/bin/env python3
"""Reference for the P5 checksum, from the definitions in README.md alone (no Cap'n Proto).

Prints the checksum of the P5 iteration with seed 42; `bench-cxx P5-check` and
`capnp-bench P5-check` must print the same number. Usage: p5-checksum.py [seed]
"""
import sys
import struct
M=(1<<64)-1
K1=0x9E3779B97F4A7C15; K2=0xBF58476D1CE4E5B9
def mix(s,k): return (s*K1 + k*K2) & M
def trunc_s(v,bits):
    v &= (1<<bits)-1
    return v-(1<<bits) if v>>(bits-1) else v
def f64(s,k): return float(mix(s,k)>>11) * 2.0**-53
def f32(s,k): return struct.unpack('<f',struct.pack('<f',float((mix(s,k)>>40)&0xffffffff)*2.0**-24))[0]
def b(s,k): return (mix(s,k)>>63)==1
def fold(h,x): return ((h ^ (x & M)) * 0x100000001B3) & M
def f32bits(x): return struct.unpack('<I',struct.pack('<f',x))[0]
def f64bits(x): return struct.unpack('<Q',struct.pack('<d',x))[0]
def text(h,t):
    bs=t.encode(); return fold(fold(h,len(bs)), sum(bs))
NAMES=["alpha","bravo","charlie","delta","echo","foxtrot","golf","hotel"]
def check(s):
    h=0xCBF29CE484222325
    for k in range(0,3): h=fold(h,1 if b(s,k) else 0)
    for base,bits in ((3,8),(6,16),(9,32),(12,64)):
        for k in range(base,base+3): h=fold(h,trunc_s(mix(s,k),bits))
    for base,bits in ((15,8),(18,16),(21,32),(24,64)):
        for k in range(base,base+3): h=fold(h,mix(s,k)&((1<<bits)-1))
    for k in range(27,30): h=fold(h,f32bits(f32(s,k)))
    for k in range(30,33): h=fold(h,f64bits(f64(s,k)))
    h=text(h,"swift-multiprocess benchmark")
    h=text(h,"A rich struct with three fields of every primitive kind, three texts, a nested struct and a list of one thousand items.")
    h=text(h,"p5")
    h=fold(h,mix(s,33)&0xffffffff); h=fold(h,mix(s,34)); h=fold(h,f64bits(f64(s,35))); h=fold(h,1 if b(s,36) else 0); h=text(h,"inner")
    h=fold(h,1000)
    for i in range(1000):
        h=fold(h,i); h=fold(h,mix(s,1000+i)); h=fold(h,f64bits(i*0.5)); h=fold(h,1 if i%3==0 else 0)
        h=fold(h,i%7); h=fold(h,f32bits(i*0.25)); h=text(h,NAMES[i%8])
    return h
print(check(int(sys.argv[1]) if len(sys.argv) > 1 else 42))
