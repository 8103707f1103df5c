/// A SQL `LIKE` pattern: `%` matches any run of characters, `_` exactly one, `\` escapes the next
/// character. Matching ignores case (Unicode lower-casing of both sides), as SQLite's LIKE does for ASCII.
public struct LikePattern: Sendable, Hashable {
    enum Element: Hashable { case literal(Character), any, anyRun }

    let elements: [Element]

    public init(_ pattern: String) {
        var elements: [Element] = []
        var escaped = false
        for character in pattern.lowercased() {
            if escaped {
                elements.append(.literal(character))
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "%" {
                if elements.last != .anyRun { elements.append(.anyRun) }
            } else if character == "_" {
                elements.append(.any)
            } else {
                elements.append(.literal(character))
            }
        }
        if escaped { elements.append(.literal("\\")) }
        self.elements = elements
    }

    /// Whether all of `text` matches the pattern.
    public func matches(_ text: String) -> Bool {
        let characters = Array(text.lowercased())
        var textIndex = 0
        var patternIndex = 0
        var starPattern = -1
        var starText = 0
        while textIndex < characters.count {
            if patternIndex < elements.count {
                let element = elements[patternIndex]
                if element == .any || element == .literal(characters[textIndex]) {
                    textIndex += 1
                    patternIndex += 1
                    continue
                }
                switch element {
                case .anyRun:
                    starPattern = patternIndex
                    starText = textIndex
                    patternIndex += 1
                    continue
                default: break
                }
            }
            guard starPattern >= 0 else { return false }
            patternIndex = starPattern + 1
            starText += 1
            textIndex = starText
        }
        while patternIndex < elements.count, elements[patternIndex] == .anyRun { patternIndex += 1 }
        return patternIndex == elements.count
    }
}
