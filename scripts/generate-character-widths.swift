// Prints the width tables of Sources/BNQRender/CharacterWidths.swift from the C library's wcwidth
// under C.UTF-8: swiftc -O scripts/generate-character-widths.swift -o /tmp/gen && /tmp/gen
import Glibc
@_silgen_name("wcwidth") func wcwidth(_ c: Int32) -> Int32
setlocale(LC_CTYPE, "C.UTF-8")
var zero: [(UInt32, UInt32)] = []
var two: [(UInt32, UInt32)] = []
func add(_ list: inout [(UInt32, UInt32)], _ v: UInt32) {
  if let last = list.last, last.1 + 1 == v { list[list.count - 1].1 = v } else { list.append((v, v)) }
}
for v in UInt32(0x20)...0x10FFFF {
  guard Unicode.Scalar(v) != nil else { continue }
  let w = wcwidth(Int32(v))
  if w == 0 { add(&zero, v) } else if w == 2 { add(&two, v) }
}
func fmt(_ l: [(UInt32, UInt32)]) -> String {
  l.map { "        (0x\(String($0.0, radix: 16, uppercase: true)), 0x\(String($0.1, radix: 16, uppercase: true)))," }.joined(separator: "\n")
}
print("// zero \(zero.count) two \(two.count)")
print("    static let zeroWidth: [(UInt32, UInt32)] = [\n\(fmt(zero))\n    ]")
print("    static let doubleWidth: [(UInt32, UInt32)] = [\n\(fmt(two))\n    ]")
