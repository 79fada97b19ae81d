// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "copydesk",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "copydeskd", targets: ["copydeskd"]),
        .executable(name: "copydesk", targets: ["copydesk"]),
        .library(name: "CopydeskCore", targets: ["CopydeskCore"]),
        .library(name: "CopydeskStore", targets: ["CopydeskStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C helpers: CRC32C (SSE4.2 with a portable fallback). The journal frame checksum.
        .target(name: "CCRC32C"),
        // C helper: the MinHash kernel with AVX2, chosen at run time (the Swift kernel is baseline SSE2).
        .target(name: "CMinHash"),
        // OpenSSL's libcrypto for SHA-256: as fast as swift-crypto here and costs no build time.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libxml2: the XML and HTML parsers of the Parse stage (no network, no DTD loading, entity limits).
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // libsystemd: sd_notify, sd_watchdog_enabled, sd_journal_sendv. Imported only by CopydeskSystemd.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),

        // Pure: bytes in, values out. No file or socket I/O, no clock.
        .target(
            name: "CopydeskCore",
            dependencies: ["CCRC32C", "CMinHash", "CCrypto", "CLibXML2", .product(name: "TOMLKit", package: "TOMLKit")],
            exclude: ["Record/JournalFormat.md"]
        ),
        .target(
            name: "CopydeskStore",
            dependencies: [
                "CopydeskCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "CopydeskSystemd",
            dependencies: [
                "CSystemd",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CopydeskDaemon",
            dependencies: [
                "CopydeskCore",
                "CopydeskStore",
                "CopydeskSystemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "copydeskd",
            dependencies: [
                "CopydeskDaemon",
                "CopydeskStore",
                "CopydeskSystemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The CLI links Core and Store only, never libsystemd (chrony's CLI_OBJS).
        .executableTarget(
            name: "copydesk",
            dependencies: [
                "CopydeskCore",
                "CopydeskStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Dedup accuracy, speed and scale measurements (Benchmarks/DEDUP.md); not shipped.
        .executableTarget(name: "bench-dedup", dependencies: ["CopydeskCore"], path: "Benchmarks/DedupBench"),

        // Fuzzing driver: every registered parser and Parse.prepare on mutated corpus files (scripts/fuzz).
        .executableTarget(
            name: "copydesk-fuzz",
            dependencies: ["CopydeskCore", "CopydeskTestSupport"]
        ),
        // Parse stage throughput per corpus format (Benchmarks/PARSE.md).
        .executableTarget(
            name: "copydesk-bench",
            dependencies: ["CopydeskCore"],
            path: "Benchmarks/ParseBenchmark"
        ),

        // Benchmarks and the training tool for the Classify stage (cross-validation against scikit-learn, language
        // accuracy, per-document timing). Not shipped; `Benchmarks/classify-bench.sh` runs it.
        .executableTarget(
            name: "bench-classify",
            dependencies: ["CopydeskCore"],
            path: "Benchmarks/ClassifyBench"
        ),
        // Journal and pipeline measurements (Benchmarks/RESULTS.md) from a release build; no tests, few dependencies,
        // so it costs the debug build little.
        .executableTarget(
            name: "journal-bench",
            dependencies: ["CopydeskCore", "CopydeskStore", .product(name: "Logging", package: "swift-log")],
            path: "Sources/journal-bench"
        ),

        .target(
            name: "CopydeskTestSupport",
            dependencies: ["CopydeskCore", "CopydeskStore"],
            path: "Tests/CopydeskTestSupport"
        ),
        .testTarget(name: "CopydeskCoreTests", dependencies: ["CopydeskCore", "CopydeskTestSupport"]),
        .testTarget(name: "CopydeskStoreTests", dependencies: ["CopydeskStore", "CopydeskTestSupport"]),
        .testTarget(name: "CopydeskSystemdTests", dependencies: ["CopydeskSystemd", "CopydeskTestSupport"]),
        .testTarget(
            name: "CopydeskDaemonTests",
            dependencies: ["CopydeskDaemon", "CopydeskTestSupport"]
        ),
        // Runs the built copydeskd and copydesk binaries against temporary roots.
        .testTarget(
            name: "CopydeskEndToEndTests",
            dependencies: [
                "CopydeskCore", "CopydeskStore", "CopydeskTestSupport", "copydeskd", "copydesk",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
