import CopydeskCore
import Foundation

extension Configuration {
    /// The configuration for `--root` / `--config`, shared by `copydeskd` and `copydesk` so both find the
    /// same folders: with `--root DIR` everything lives under DIR and `DIR/copydesk.toml` is read if present;
    /// otherwise the systemd layout and `/etc/copydesk/copydesk.toml` if present. `--config FILE` names the
    /// file explicitly (then it must exist).
    public static func load(root: String?, configFile: String?) throws(ConfigurationError) -> Configuration {
        // Absolute, so logs, STATUS= and the control socket name the same folder whatever the working directory.
        let root = root.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
        let base = root.map(Configuration.rooted(at:)) ?? .system
        let path = configFile ?? (root.map { $0 + "/copydesk.toml" } ?? Configuration.systemConfigPath)
        guard FileManager.default.fileExists(atPath: path) else {
            if configFile != nil { throw ConfigurationError("configuration file \(path) does not exist") }
            return base
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read configuration file \(path): \(error.localizedDescription)")
        }
        do {
            return try Configuration.parse(text, over: base)
        } catch {
            throw ConfigurationError("\(path): \(error.message)")
        }
    }
}
