// The Bitcoin-format oracle the Consensus and NodeKit tests ask: Tests/Oracles/bitcoin_oracle.py
// (embit from PyPI, in the venv scripts/setup makes), JSON in and out.

import Foundation

public enum BitcoinOracle {
    /// The venv python when it has embit, else nil (run scripts/setup).
    public static let python: String? = {
        guard let python = Pycapnp.python,
              let result = try? ToolRunner.run(python, ["-c", "import embit"]), result.status == 0 else { return nil }
        return python
    }()

    /// Sends `request` (a JSON object) to the oracle; its JSON answer.
    public static func ask(_ request: [String: Any]) throws -> [String: Any] {
        guard let python else { throw ToolError("embit is not in .venv: run scripts/setup") }
        let input = try JSONSerialization.data(withJSONObject: request)
        let result = try ToolRunner.run(python, [Pycapnp.packageRoot + "/Tests/Oracles/bitcoin_oracle.py"], input: Array(input))
        guard result.status == 0 else { throw ToolError("bitcoin_oracle.py exited \(result.status): \(result.stderr)") }
        guard let answer = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any] else {
            throw ToolError("bitcoin_oracle.py did not answer a JSON object")
        }
        return answer
    }
}
