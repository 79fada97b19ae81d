import Testing

@testable import CopydeskSystemd

#if canImport(Glibc)
import Glibc
#endif

struct JournalStreamTests {
    @Test func matchingDeviceAndInodeMeansStderrIsTheJournal() throws {
        #expect(JournalStream.stderrIsJournal(environment: ["JOURNAL_STREAM": try stderrDeviceAndInode()]))
    }

    @Test func anInheritedStreamOfAnotherFileIsNotTheJournal() throws {
        // Same device, other inode: what a child whose stderr was redirected to a file would see.
        var info = stat()
        try #require(fstat(STDERR_FILENO, &info) == 0)
        #expect(!JournalStream.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino + 1)"]))
        #expect(!JournalStream.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(info.st_dev + 1):\(info.st_ino)"]))
    }

    @Test(arguments: ["", "12", "12:", ":34", "a:b", "1:2:3", "-1:5"])
    func malformedValuesAreNotTheJournal(_ value: String) {
        #expect(!JournalStream.stderrIsJournal(environment: ["JOURNAL_STREAM": value]))
    }

    @Test func noVariableMeansNoJournal() {
        #expect(!JournalStream.stderrIsJournal(environment: [:]))
    }

    @Test func aClosedDescriptorIsNotTheJournal() throws {
        #expect(!JournalStream.matches("1:1", fileDescriptor: -1))
    }
}
