// swift-tools-version:6.1
import PackageDescription

/// bnq: a command-line shell for exploring ByteNite jobs.
///
/// Dependencies point one way (each target declares exactly what it imports):
///   bnq (executable) → {BNQShell, BNQRunner, BNQService, BNQArchive, ByteNiteClient, BNQLanguage, BNQRender, BNQCore, ArgumentParser}
///   BNQShell   → {CLibEdit, GRDB, BNQArchive, BNQRunner, BNQLanguage, BNQRender, BNQCore}
///   BNQRunner  → {BNQLanguage, BNQRender, ByteNiteClient, BNQArchive, BNQCore}      (no server code in the shell)
///   BNQArchive → {GRDB, BNQCore}   (the local SQLite archive: storage, SQL plans, syncs, diffs)
///   BNQLanguage → BNQCore        (pure: no I/O, no wire types)
///   BNQRender   → BNQCore
///   ByteNiteClient, BNQService → {ByteNiteAPI, BNQCore}  (the generated types stay inside these two)
let package = Package(
    name: "bnq",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bnq", targets: ["bnq"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.0"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
    ],
    targets: [
        // The generated types of the ByteNite jobs read API (openapi.json is the merged contract).
        .target(
            name: "ByteNiteAPI",
            dependencies: ["BNQCore", .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // Pure data model: JSON values, the job schema, filter semantics, time.
        .target(name: "BNQCore"),
        // The one API client: generated client, authentication, retries, a small facade.
        .target(
            name: "ByteNiteClient",
            dependencies: [
                "ByteNiteAPI", "BNQCore",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // `bnq serve`: the ByteNite-compatible local service on Hummingbird.
        .target(
            name: "BNQService",
            dependencies: [
                "ByteNiteAPI", "BNQCore",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The query language: lexer, parser, diagnostics, type checker, compiler, local evaluator. Pure.
        .target(name: "BNQLanguage", dependencies: ["BNQCore"]),
        // Output formats and terminal-safe escaping.
        .target(name: "BNQRender", dependencies: ["BNQCore"]),
        // The local archive: a SQLite file of every job version, with SQL plans for the language.
        .target(name: "BNQArchive", dependencies: ["BNQCore", .product(name: "GRDB", package: "GRDB.swift")]),
        // The C shim over libedit (Debian libedit-dev): fixed-argument wrappers, one editor per shell.
        .target(name: "CLibEdit", linkerSettings: [.linkedLibrary("edit")]),
        // The interactive shell: line editing, completion, kept history, the prompt loop.
        .target(
            name: "BNQShell",
            dependencies: [
                "CLibEdit", "BNQArchive", "BNQRunner", "BNQLanguage", "BNQRender", "BNQCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Runs statements: compiles, pages through the client, evaluates residuals, renders.
        .target(name: "BNQRunner", dependencies: ["BNQLanguage", "ByteNiteClient", "BNQRender", "BNQArchive", "BNQCore"]),
        // The thin executable.
        .executableTarget(
            name: "bnq",
            dependencies: [
                "BNQRunner", "BNQShell", "BNQService", "BNQArchive", "ByteNiteClient", "BNQCore", "BNQLanguage", "BNQRender",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers the test targets share: a running `bnq serve`, temporary folders.
        .target(name: "BNQTestSupport", dependencies: ["BNQService", "ByteNiteClient", "BNQCore"], path: "Tests/BNQTestSupport"),
        .testTarget(name: "BNQCoreTests", dependencies: ["BNQCore"]),
        .testTarget(name: "BNQLanguageTests", dependencies: ["BNQLanguage", "BNQCore"], exclude: ["Golden"]),
        .testTarget(name: "BNQRenderTests", dependencies: ["BNQRender", "BNQCore"]),
        .testTarget(name: "ByteNiteClientTests", dependencies: ["BNQTestSupport", "ByteNiteClient", "BNQService", "BNQCore", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "BNQServiceTests", dependencies: ["BNQTestSupport", "BNQService", "BNQCore"]),
        .testTarget(name: "BNQShellTests", dependencies: ["BNQTestSupport", "BNQShell", "BNQService", "BNQCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "BNQRunnerTests", dependencies: ["BNQTestSupport", "BNQRunner", "BNQRender", "BNQLanguage", "ByteNiteClient", "BNQService", "BNQArchive", "BNQCore"], exclude: ["Golden"]),
        .testTarget(name: "BNQArchiveTests", dependencies: ["BNQTestSupport", "BNQArchive", "BNQService", "BNQCore", .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v6]
)
