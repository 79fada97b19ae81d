import CopydeskCore
import Testing

/// The `[classify]` keys of copydesk.toml.
@Suite("Classify: configuration")
struct ClassifyConfigurationTests {
    @Test func defaultsAreTheBuiltInRulesAndAModelInTheStateDirectory() throws {
        let rooted = Configuration.rooted(at: "/srv/cd")
        #expect(rooted.classifyRules == nil)
        #expect(rooted.classifyModelPath == "/srv/cd/journal/model.cdm")
        #expect(Configuration.system.classifyModelPath == "/var/lib/copydesk/model.cdm")
        // The model follows the state directory unless named.
        let moved = try Configuration.parse("state = \"/data/state\"\n", over: .system)
        #expect(moved.classifyModelPath == "/data/state/model.cdm")
    }

    @Test func rulesAndModelAreRead() throws {
        let text = "[classify]\nrules = \"/etc/copydesk/rules.conf\"\nmodel = \"/opt/models/desk.cdm\"\n"
        let configuration = try Configuration.parse(text, over: .system)
        #expect(configuration.classifyRules == "/etc/copydesk/rules.conf")
        #expect(configuration.classifyModelPath == "/opt/models/desk.cdm")
    }

    @Test func unknownOrMistypedKeysAreErrors() {
        #expect(throws: ConfigurationError("unknown key classify.rule")) {
            try Configuration.parse("[classify]\nrule = \"/x\"\n", over: .system)
        }
        #expect(throws: ConfigurationError("classify.model must be a string")) {
            try Configuration.parse("[classify]\nmodel = 3\n", over: .system)
        }
    }
}
