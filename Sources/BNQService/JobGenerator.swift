import BNQCore

/// Builds realistic jobs deterministically: the same count, seed and anchor give the same jobs.
///
/// Jobs are spread over the 90 days before `anchor`. Each has a template and app, a readable name,
/// one of the 11 states in plausible proportions, and timestamps consistent with its state:
/// `submittedAt` after `createdAt`, `startedAt` after `submittedAt` once chunks were uploaded,
/// `endedAt` only on finished jobs, `duration == endedAt - startedAt`, a time in `stateTimestamps`
/// for every state passed through. Failed jobs carry an `errorMessage`. Fields holding their
/// protobuf default (0, false, empty) are left out, as a protobuf-JSON server does.
public struct JobGenerator: Sendable {
    /// The instant the newest generated job is created before; fixed by default so output is reproducible.
    public var anchor: Timestamp
    public var seed: UInt64

    public static let defaultAnchor = Timestamp(rfc3339: "2026-11-28T00:00:00Z")!

    public init(seed: UInt64 = 1, anchor: Timestamp = JobGenerator.defaultAnchor) {
        self.seed = seed
        self.anchor = anchor
    }

    struct Template {
        let id: String, app: String, description: String, partitioner: String, assembler: String
        let names: [String], rate: Double, meanSeconds: Double
    }

    static let templates: [Template] = [
        Template(id: "video-transcode-h264", app: "ffmpeg-transcoder", description: "Transcode video to H.264 MP4",
                 partitioner: "video-segmenter", assembler: "video-concat",
                 names: ["trailer", "keynote", "webinar", "lecture", "promo", "interview"], rate: 0.0009, meanSeconds: 900),
        Template(id: "video-thumbnails", app: "ffmpeg-thumbnailer", description: "Extract thumbnails from video",
                 partitioner: "video-segmenter", assembler: "zip-assembler",
                 names: ["catalog", "episode", "clip", "stream"], rate: 0.0004, meanSeconds: 240),
        Template(id: "image-resize", app: "imagemagick", description: "Resize and re-encode images",
                 partitioner: "file-splitter", assembler: "zip-assembler",
                 names: ["product-photos", "avatars", "banners", "gallery"], rate: 0.0002, meanSeconds: 120),
        Template(id: "llm-batch-inference", app: "llama-runner", description: "Batch inference with an open LLM",
                 partitioner: "jsonl-splitter", assembler: "jsonl-merger",
                 names: ["support-tickets", "reviews", "summaries", "classification"], rate: 0.0030, meanSeconds: 1800),
        Template(id: "embeddings", app: "sentence-embedder", description: "Compute text embeddings",
                 partitioner: "jsonl-splitter", assembler: "parquet-merger",
                 names: ["docs-index", "faq", "catalog-text"], rate: 0.0012, meanSeconds: 600),
        Template(id: "monte-carlo-risk", app: "montecarlo-sim", description: "Monte Carlo portfolio risk",
                 partitioner: "replicator", assembler: "stats-reducer",
                 names: ["var-daily", "stress-test", "scenario"], rate: 0.0015, meanSeconds: 1200),
        Template(id: "pdf-ocr", app: "tesseract-ocr", description: "OCR scanned PDFs",
                 partitioner: "page-splitter", assembler: "pdf-merger",
                 names: ["invoices", "contracts", "archive-scan"], rate: 0.0006, meanSeconds: 480),
        Template(id: "genome-align", app: "bwa-aligner", description: "Align sequencing reads",
                 partitioner: "fastq-splitter", assembler: "bam-merger",
                 names: ["sample", "cohort", "run"], rate: 0.0040, meanSeconds: 3600),
    ]

    static let regions = ["us-east", "us-west", "eu-central", "eu-west", "ap-south", "ap-northeast", "sa-east"]

    static let stateWeights: [(Int, Double)] = [
        (0, 5), (1, 3), (2, 2.5), (3, 2.5), (4, 3), (5, 3), (6, 3), (7, 2), (8, 3), (9, 56), (10, 17),
    ]

    static let errors = [
        "task timeout exceeded on 3 of 12 chunks",
        "data source unreachable: 403 Forbidden from bucket",
        "app exited with status 137 (out of memory)",
        "invalid params: 'app.resolution' must be one of 480p, 720p, 1080p",
        "insufficient account balance",
        "partitioner failed: input file is empty",
        "assembler failed: missing chunk 7",
        "job timeout exceeded",
    ]

    /// Job number `index` (0-based) of the generated set.
    public func job(_ index: Int) -> JSONValue {
        var mixer = SeededRandom(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        var random = SeededRandom(seed: mixer.next())
        let template = Self.templates[Int(random.next() % UInt64(Self.templates.count))]
        let state = random.weighted(Self.stateWeights)
        let stateNames = EnumType.jobState.values
        let id = Self.uuid(&random)
        let created = anchor.adding(seconds: -Double(random.next() % (90 * 86_400_000)) / 1000)
        let baseName = template.names[Int(random.next() % UInt64(template.names.count))]
        var job = JSONObject()
        job["id"] = .string(id)
        job["templateId"] = .string(template.id)
        job["name"] = .string("\(baseName)-\(String(index % 1000).leftPadded(3))")
        var config = JSONObject()
        config["taskTimeout"] = .int([300, 600, 1800][Int(random.next() % 3)])
        config["jobTimeout"] = .int([3600, 7200, 14_400][Int(random.next() % 3)])
        if random.chance(0.1) { config["isTestJob"] = .bool(true) }
        job["config"] = .object(config)
        let priority = EnumType.priority.values[Int(random.next() % 4)]
        if priority != EnumType.priority.values[0] { job["priority"] = .string(priority) }
        var regions = JSONObject()
        let whitelist = (0..<Int(random.next() % 3)).map { _ in Self.regions[Int(random.next() % UInt64(Self.regions.count))] }
        if !whitelist.isEmpty { regions["whitelist"] = .array(Array(Set(whitelist)).sorted().map { .string($0) }) }
        if random.chance(0.15) { regions["blacklist"] = .array([.string(Self.regions[Int(random.next() % UInt64(Self.regions.count))])]) }
        if !regions.isEmpty { job["regions"] = .object(regions) }
        if state != 0 { job["state"] = .string(stateNames[state]) }
        let bucket = "s3://acme-\(template.app)/input/\(baseName)"
        job["dataSource"] = ["dataSourceDescriptor": "s3", "params": [
            "@type": "type.googleapis.com/api.bytenite.data_source.S3DataSource", "name": .string(bucket),
        ]]
        job["params"] = ["partitioner": ["chunks": .int(Int64(1 + random.next() % 32))], "assembler": [:],
                         "app": ["preset": .string(["fast", "balanced", "quality"][Int(random.next() % 3)])]]
        job["dataDestination"] = ["dataSourceDescriptor": "bucket", "params": [
            "@type": "type.googleapis.com/api.bytenite.data_source.BucketDataSource", "name": .string("results/\(id)"),
        ]]

        // The timeline: each state passed through gets a time.
        var stamps = JSONObject()
        stamps[stateNames[0]] = .string(created.rfc3339)
        var clock = created
        let finalState = state
        let lastReached: Int
        if finalState == 10 {
            lastReached = Int(random.next() % 9)  // failed after reaching this state
        } else {
            lastReached = finalState
        }
        var submitted: Timestamp?
        var started: Timestamp?
        let stepSeconds = template.meanSeconds / 8
        for step in 1...max(1, min(lastReached, 8)) where lastReached >= 1 {
            clock = clock.adding(seconds: ((step == 1 ? 5 + random.unit() * 120 : stepSeconds * (0.3 + random.unit() * 1.4)) * 1000).rounded() / 1000)
            stamps[stateNames[step]] = .string(clock.rfc3339)
            if step == 1 { submitted = clock }
            if step == 2 { started = clock }
        }
        if let submitted { job["submittedAt"] = .string(submitted.rfc3339); job["startAt"] = .string(submitted.rfc3339) }
        if let started { job["startedAt"] = .string(started.rfc3339) }
        if (finalState >= 4 && finalState != 10) || (finalState == 10 && lastReached >= 4) {
            job["numChunks"] = .int(Int64(2 + random.next() % 62))
        }
        job["numUnitsEstimation"] = .string(String(10 + random.next() % 5000))
        if finalState == 9 || finalState == 10 {
            clock = clock.adding(seconds: stepSeconds * (0.2 + random.unit()))
            let begin = started ?? submitted ?? created
            let duration = ((clock.secondsSince1970 - begin.secondsSince1970) * 1000).rounded() / 1000
            let ended = begin.adding(seconds: duration)
            job["endedAt"] = .string(ended.rfc3339)
            stamps[stateNames[finalState]] = .string(ended.rfc3339)
            if started != nil {
                job["duration"] = .double(duration)
                let chunks = Double(job["numChunks"]?.int64Value ?? 1)
                let amount = (duration * template.rate * (0.5 + chunks / 16) * 100).rounded() / 100
                if amount > 0 { job["paymentAmount"] = .double(amount) }
            }
            if finalState == 10 { job["errorMessage"] = .string(Self.errors[Int(random.next() % UInt64(Self.errors.count))]) }
        }
        job["createdAt"] = .string(created.rfc3339)
        job["description"] = .string("\(template.description): \(baseName)")
        job["stateTimestamps"] = .object(stamps)
        job["appId"] = .string(template.app)
        job["templateInfo"] = [
            "id": .string(template.id), "owner": "acme-data", "description": .string(template.description),
            "app": .string(template.app), "partitioner": .string(template.partitioner), "assembler": .string(template.assembler),
        ]
        return .object(job)
    }

    /// `count` jobs.
    public func jobs(count: Int) -> [JSONValue] {
        (0..<count).map(job)
    }

    static func uuid(_ random: inout SeededRandom) -> String {
        let hex = Array("0123456789abcdef")
        var text = ""
        for index in 0..<32 {
            if [8, 12, 16, 20].contains(index) { text.append("-") }
            text.append(hex[Int(random.next() % 16)])
        }
        return text
    }
}

