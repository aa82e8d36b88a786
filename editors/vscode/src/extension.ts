// A thin client: starts `article-lsp` for Markdown files and leaves the work
// to the server. It adds what LSP cannot express: the server binary's path, a
// restart command, and VS Code's own "show references" for the backlink lens.

import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  type Executable,
  LanguageClient,
  type LanguageClientOptions,
  type Location as LspLocation,
  type Position as LspPosition,
  type Range as LspRange,
  TransportKind,
} from 'vscode-languageclient/node';

const SECTION = 'articleLsp';
// The settings the server reads; the others (`server.*`, `trace.*`) are the client's.
const SERVER_KEYS = ['include', 'exclude', 'severity', 'workspaceDiagnostics', 'hoverPreviewLength', 'followSymlinks'] as const;

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
// Starts and stops run one at a time, in the order asked.
let queue: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Article LSP');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand(`${SECTION}.restartServer`, () => enqueue(restart)),
    vscode.commands.registerCommand(`${SECTION}.showOutput`, () => output.show(true)),
    vscode.commands.registerCommand(`${SECTION}.showReferences`, showReferences),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.server`)) {
        void enqueue(restart);
      } else if (SERVER_KEYS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
        void client?.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: serverSettings() },
        });
      }
    }),
  );
  return enqueue(start);
}

export function deactivate(): Promise<void> {
  return enqueue(stop);
}

function enqueue(step: () => Promise<void>): Promise<void> {
  queue = queue.then(step, step);
  return queue;
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running === undefined) {
    return;
  }
  try {
    await running.stop(2000);
  } catch (error) {
    output.appendLine(`article-lsp did not stop cleanly: ${String(error)}`);
  }
  await running.dispose();
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const command = serverPath(config.get<string>('server.path', 'article-lsp'));
  const executable: Executable = {
    command,
    // Adds `--stdio` to the arguments, which the server accepts.
    transport: TransportKind.stdio,
    options: { env: { ...process.env, RUST_LOG: config.get<string>('server.logLevel', 'warn') } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'markdown' }],
    // The server's stderr (its log) goes here.
    outputChannel: output,
    initializationOptions: serverSettings(),
    middleware: {
      workspace: {
        // Answer the server's `workspace/configuration` for our section with
        // the server's keys only: it refuses keys it does not know.
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, i) => (item.section === SECTION ? serverSettings() : answers[i]));
        },
      },
    },
  };
  const created = new LanguageClient(SECTION, 'Article LSP', { run: executable, debug: executable }, clientOptions);
  client = created;
  try {
    await created.start();
    output.appendLine(`article-lsp started: ${command}`);
  } catch (error) {
    output.appendLine(`cannot start article-lsp (${command}): ${String(error)}`);
    const choice = await vscode.window.showErrorMessage(
      `Article LSP: cannot start the server \`${command}\`. Install it (\`cargo install --path .\` in the article-lsp repository) or set \`articleLsp.server.path\`.`,
      'Open Settings',
      'Show Log',
    );
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server.path`);
    } else if (choice === 'Show Log') {
      output.show(true);
    }
  }
}

// `~/` is the home folder; a relative path with a folder part is taken from
// the first workspace folder; a bare name is looked up on `PATH`.
function serverPath(configured: string): string {
  const value = configured.trim() || 'article-lsp';
  if (value === '~' || value.startsWith('~/')) {
    return path.join(os.homedir(), value.slice(1));
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!path.isAbsolute(value) && value.includes('/') && folder?.uri.scheme === 'file') {
    return path.join(folder.uri.fsPath, value);
  }
  return value;
}

// The server settings the user has set. Unset keys are left out so that an
// `article-lsp.toml` in the workspace still applies to them.
function serverSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const inspected = config.inspect(key);
    const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    if (value !== undefined) {
      settings[key] = value;
    }
  }
  return settings;
}

// The backlink lens's command, with arguments in LSP's JSON shapes:
// `[uri, position, locations]`. VS Code's peek view takes its own types.
async function showReferences(uri: string, position: LspPosition, locations: LspLocation[]): Promise<void> {
  await vscode.commands.executeCommand(
    'editor.action.showReferences',
    vscode.Uri.parse(uri),
    new vscode.Position(position.line, position.character),
    (locations ?? []).map((location) => new vscode.Location(vscode.Uri.parse(location.uri), range(location.range))),
  );
}

function range(value: LspRange): vscode.Range {
  return new vscode.Range(value.start.line, value.start.character, value.end.line, value.end.character);
}
