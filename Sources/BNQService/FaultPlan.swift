import BNQCore
import Synchronization

/// Failures `bnq serve --faults SPEC` injects into responses, for reliability tests.
///
/// SPEC is a comma-separated list of `KIND=PROBABILITY[:ARGUMENT]`:
/// `503=0.2` answers 20% of requests with 503 (any status 400–599 works, e.g. `429=0.1`),
/// `reset=0.05` drops 5% of connections mid-response, `delay=0.1:300ms` delays 10% by 300 ms.
/// Draws come from a generator seeded by `--seed`, so a run is repeatable.
public struct FaultPlan: Sendable, Equatable {
    public enum Fault: Sendable, Equatable {
        case status(Int)
        case reset
        case delay(Duration)
    }

    public var faults: [(fault: Fault, probability: Double)]

    public static func == (lhs: FaultPlan, rhs: FaultPlan) -> Bool {
        lhs.faults.count == rhs.faults.count && zip(lhs.faults, rhs.faults).allSatisfy { $0.fault == $1.fault && $0.probability == $1.probability }
    }

    public init(faults: [(fault: Fault, probability: Double)] = []) { self.faults = faults }

    /// Parses a SPEC; the error names the part that is wrong.
    public static func parse(_ spec: String) throws(FilterError) -> FaultPlan {
        var faults: [(fault: Fault, probability: Double)] = []
        for part in spec.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2 else { throw FilterError("fault '\(part)' should be KIND=PROBABILITY") }
            let kind = pieces[0].trimmingCharacters(in: .whitespaces)
            let valueParts = pieces[1].split(separator: ":", maxSplits: 1)
            guard let probability = Double(valueParts[0]), (0...1).contains(probability) else {
                throw FilterError("fault '\(part)': probability must be a number from 0 to 1")
            }
            switch kind {
            case "reset":
                faults.append((.reset, probability))
            case "delay":
                guard valueParts.count == 2, let duration = parseDuration(String(valueParts[1])) else {
                    throw FilterError("fault '\(part)' should be delay=PROBABILITY:DURATION (e.g. delay=0.1:300ms)")
                }
                faults.append((.delay(duration), probability))
            default:
                guard let status = Int(kind), (400...599).contains(status) else {
                    throw FilterError("fault '\(part)': kind must be an HTTP status 400–599, 'reset' or 'delay'")
                }
                faults.append((.status(status), probability))
            }
        }
        return FaultPlan(faults: faults)
    }

    /// Parses `300ms`, `2s`, `1.5s`, `1m` (the language's duration units), up to a day.
    public static func parseDuration(_ text: String) -> Duration? {
        guard let seconds = DurationUnit.seconds(in: text), seconds <= 86_400 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

/// Draws the faults of a plan for each request, reproducibly from a seed.
final class FaultInjector: Sendable {
    let plan: FaultPlan
    private let random: Mutex<SeededRandom>

    init(plan: FaultPlan, seed: UInt64) {
        self.plan = plan
        self.random = Mutex(SeededRandom(seed: seed ^ 0xFA17))
    }

    /// The faults that hit the next request: at most one failure, and possibly a delay.
    func draw() -> (failure: FaultPlan.Fault?, delay: Duration?) {
        random.withLock { random in
            var failure: FaultPlan.Fault?
            var delay: Duration?
            for (fault, probability) in plan.faults {
                let hit = random.chance(probability)
                guard hit else { continue }
                switch fault {
                case .delay(let duration): delay = duration
                default: if failure == nil { failure = fault }
                }
            }
            return (failure, delay)
        }
    }
}
