// libFuzzer entry for the JSON reader that reads every byte a server sends, and for what renders
// the values it gives: cell text of every field type and JSON written back. Built by scripts/fuzz
// beside the language fuzzer. A crash, a trap or a hang is a finding; so is a value that does not
// read back the same after it is written.
import BNQCore
import BNQRender

let types: [FieldType] = [.string, .timestamp, .double, .integer, .int64String, .bool, .stringArray, .any, .enumeration(.jobState), .enumeration(.priority)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else {
        _ = try? JSONParser.parse(bytes, deferring: "data")
        return 0
    }
    // Written back, it reads as the same value.
    let written = JSONWriter.compact(value)
    precondition((try? JSONParser.parse(Array(written.utf8))).map(JSONWriter.compact) == written, "JSON does not read back: \(written.prefix(200))")
    _ = JSONWriter.pretty(value)
    // Every value renders as every type of cell, and as a job.
    func visit(_ value: JSONValue, depth: Int) {
        for type in types { _ = TerminalText.escape(CellText.text(value, type: type)) }
        _ = value.numberValue.map(CellText.number)
        _ = value.int64Value
        guard depth < 4 else { return }
        switch value {
        case .array(let items): for item in items.prefix(16) { visit(item, depth: depth + 1) }
        case .object(let object): for member in object.members.prefix(16) { visit(member.value, depth: depth + 1) }
        default: break
        }
    }
    visit(value, depth: 0)
    if case .object = value {
        for field in JobSchema.fields { _ = CellText.text(of: value, field); _ = FieldValue.of(value, field) }
        _ = CellText.detailRows(of: value)
    }
    return 0
}
