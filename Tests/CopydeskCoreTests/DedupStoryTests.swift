import CopydeskCore
import Testing

@Suite struct DedupStoryTests {
    static let hour: Int64 = 3_600_000_000

    /// Three events, each told by three outlets in their own words, arriving interleaved: each event becomes one
    /// story, and the stories do not mix.
    @Test func groupsReportsOfTheSameEvent() {
        let reports: [(event: Int, text: String)] = [
            (0, "Earthquake of magnitude 7.1 strikes off Japan coast, tsunami warning issued for Miyagi prefecture"),
            (1, "Central bank raises interest rates by half a point to fight inflation, governor says"),
            (2, "Striker scores twice as United beat Chelsea in Premier League derby at Old Trafford"),
            (0, "Tsunami warning after strong earthquake hits Miyagi, Japan; magnitude 7.1 quake felt in Tokyo"),
            (1, "Inflation fight: bank governor announces interest rates rise of half a point"),
            (2, "United beat Chelsea at Old Trafford; striker's double settles Premier League match"),
            (0, "Japan lifts tsunami warning for Miyagi coast hours after magnitude 7.1 earthquake"),
            (1, "Markets fall after central bank interest rates decision; governor warns on inflation"),
            (2, "Chelsea manager blames defence after Premier League defeat to United at Old Trafford"),
        ]
        var clusterer = StoryClusterer()
        var storyOf: [Int: Set<UInt64>] = [:]
        for (offset, report) in reports.enumerated() {
            let assignment = clusterer.add(
                sequence: UInt64(offset + 1), text: report.text, at: Timestamp(microseconds: Int64(offset) * Self.hour))
            storyOf[report.event, default: []].insert(assignment.story)
        }
        #expect(storyOf[0] == [1])
        #expect(storyOf[1] == [2])
        #expect(storyOf[2] == [3])
        #expect(clusterer.openStories.map(\.members) == [[1, 4, 7], [2, 5, 8], [3, 6, 9]])
    }

    @Test func aStoryClosesAfterTheWindow() {
        var clusterer = StoryClusterer(configuration: .init(window: 6 * Self.hour))
        let text = "Earthquake strikes off Japan coast, tsunami warning issued for Miyagi prefecture"
        let first = clusterer.add(sequence: 1, text: text, at: Timestamp(microseconds: 0))
        let soon = clusterer.add(sequence: 2, text: text, at: Timestamp(microseconds: 5 * Self.hour))
        let late = clusterer.add(sequence: 3, text: text, at: Timestamp(microseconds: 12 * Self.hour))
        #expect(first.isNewStory && first.story == 1)
        #expect(!soon.isNewStory && soon.story == 1)
        #expect(late.isNewStory && late.story == 3)
        #expect(clusterer.openStories.map(\.id) == [3])
    }

    @Test func openStoriesAreBounded() {
        var clusterer = StoryClusterer(configuration: .init(maxOpenStories: 3))
        var synthetic = SyntheticText(seed: 2)
        for sequence in 1...10 {
            _ = clusterer.add(sequence: UInt64(sequence), text: synthetic.words(40).text, at: .epoch)
        }
        #expect(clusterer.openStories.count == 3)
        #expect(clusterer.openStories.map(\.id) == [8, 9, 10])
    }
}
