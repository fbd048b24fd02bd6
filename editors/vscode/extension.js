// Starts `polc lsp` (the command is the setting polc.command) for .pol files.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("polc").get("command");
  client = new LanguageClient(
    "polc",
    "polc",
    { command, args },
    { documentSelector: [{ scheme: "file", language: "polc" }, { scheme: "untitled", language: "polc" }] }
  );
  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
