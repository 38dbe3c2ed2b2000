import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { policyInForce } from '../api/policy-source.js';
import type { CompiledPolicy } from '../policy/compile.js';
import { compileClaudeCode, renderClaudeCodeJson, renderClaudeCodeReg } from '../policy/compile-targets/claude-code.js';
import {
  compileClaudeDesktop,
  renderDesktopJson,
  renderDesktopMobileconfig,
  renderDesktopReg,
} from '../policy/compile-targets/claude-desktop.js';
import { formatNote, type CompileNote } from '../policy/compile-targets/compile-note.js';
import { regFileBytes } from '../policy/compile-targets/registry-file.js';
import { otlpProtocols, type OtlpProtocol } from '../policy/compile-targets/target-options.js';
import { formatProblem, loadPolicy } from '../policy/load.js';
import { openStore } from '../store/store.js';
import { addConfigOptions, configFromFlags, type ConfigFlags } from './config-options.js';

/**
 * `steward policy compile --target claude-code|claude-desktop` (docs/managed-settings.md): the policy → the settings
 * an endpoint enforces by itself. The compilers are pure (src/policy/compile-targets); this reads the policy (a file,
 * or the version in force from the store), the token, and writes the file or stdout. What was compiled and what
 * stays with the hooks is printed on stderr, so stdout stays the file.
 */
interface CompileFlags extends ConfigFlags {
  target: string;
  policy?: string;
  format: string;
  server?: string;
  hook: string;
  stewardCommand: string;
  otlpEndpoint?: string;
  otlpProtocol: string;
  token?: string;
  tokenFile?: string;
  toolDetails: boolean;
  orgUuid?: string;
  workspaceFolder: string[];
  out?: string;
  quiet?: boolean;
}

const FORMATS: Record<string, readonly string[]> = {
  'claude-code': ['json', 'reg'],
  'claude-desktop': ['json', 'mobileconfig', 'reg'],
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerPolicyCompileCommand(policy: Command): void {
  addConfigOptions(
    policy
      .command('compile')
      .description('compile the policy into endpoint settings: Claude Code managed settings, Claude Desktop keys')
      .requiredOption('--target <target>', 'claude-code | claude-desktop')
      .option('--policy <file>', 'policy file (default: the version in force, read from the store)')
      .option('--format <format>', 'claude-code: json | reg; claude-desktop: json | mobileconfig | reg', 'json')
      .option('--server <url>', "Steward's URL: where hooks ask, and the default OTLP endpoint")
      .option(
        '--hook <kind>',
        'claude-code: command (steward hook) | http (POST <server>/hooks/claude-code)',
        'command',
      )
      .option('--steward-command <cmd>', 'claude-code: how Claude Code starts the command hook', 'steward')
      .option('--otlp-endpoint <url>', 'OTLP endpoint (default: --server)')
      .option('--otlp-protocol <protocol>', 'http/protobuf | http/json | grpc', 'http/protobuf')
      .option('--token <token>', 'ingest token for telemetry and hooks (prefer --token-file)')
      .option('--token-file <file>', 'read the ingest token from this file')
      .option('--no-tool-details', 'claude-code: leave OTEL_LOG_TOOL_DETAILS out (no tool parameters or MCP names)')
      .option('--org-uuid <uuid>', 'forceLoginOrgUUID: sign-in only to this claude.ai organisation')
      .option('--workspace-folder <path>', 'claude-desktop: a folder people may connect (repeatable)', collect, [])
      .option('--out <file>', 'write the file here (mode 0600) instead of stdout')
      .option('--quiet', 'do not print what was compiled and what stays with the hooks'),
  ).action(async (flags: CompileFlags) => {
    const formats = FORMATS[flags.target];
    if (!formats) throw new Error(`--target must be claude-code or claude-desktop, got "${flags.target}"`);
    if (!formats.includes(flags.format)) {
      throw new Error(`--format for ${flags.target} must be ${formats.join(', ')}, got "${flags.format}"`);
    }
    if (!(otlpProtocols as readonly string[]).includes(flags.otlpProtocol)) {
      throw new Error(`--otlp-protocol must be ${otlpProtocols.join(', ')}`);
    }
    const compiled = flags.policy !== undefined ? loadFile(flags.policy) : await inForce(flags);
    if (!compiled) return;
    const token = readToken(flags);
    const { bytes, notes } =
      flags.target === 'claude-code' ? claudeCode(compiled, flags, token) : desktop(compiled, flags, token);
    if (!flags.quiet) for (const n of notes) err(`steward policy compile: ${formatNote(n)}`);
    if (flags.out !== undefined) {
      writeFileSync(flags.out, bytes, { mode: 0o600 });
      if (!flags.quiet) err(`steward policy compile: wrote ${flags.out} from "${compiled.name}" (${compiled.version})`);
    } else process.stdout.write(bytes);
  });
}

function claudeCode(policy: CompiledPolicy, flags: CompileFlags, token: string | null): Output {
  if (flags.server === undefined) throw new Error('--target claude-code needs --server (where the hooks ask)');
  if (flags.hook !== 'command' && flags.hook !== 'http') throw new Error('--hook must be command or http');
  const { settings, notes } = compileClaudeCode(policy, {
    server: flags.server,
    hook: flags.hook,
    stewardCommand: flags.stewardCommand,
    ...(flags.otlpEndpoint !== undefined ? { otlpEndpoint: flags.otlpEndpoint } : {}),
    otlpProtocol: flags.otlpProtocol as OtlpProtocol,
    token,
    toolDetails: flags.toolDetails,
    orgUuid: flags.orgUuid ?? null,
  });
  return flags.format === 'reg'
    ? { bytes: regFileBytes(renderClaudeCodeReg(settings)), notes }
    : { bytes: Buffer.from(renderClaudeCodeJson(settings)), notes };
}

function desktop(policy: CompiledPolicy, flags: CompileFlags, token: string | null): Output {
  if (flags.otlpProtocol === 'grpc')
    throw new Error('Cowork does not export over gRPC: use http/protobuf or http/json');
  const { keys, notes } = compileClaudeDesktop(policy, {
    server: flags.server ?? null,
    otlpEndpoint: flags.otlpEndpoint ?? null,
    otlpProtocol: flags.otlpProtocol as 'http/protobuf' | 'http/json',
    token,
    workspaceFolders: flags.workspaceFolder,
    orgUuid: flags.orgUuid ?? null,
  });
  if (Object.keys(keys).length === 0) {
    throw new Error(
      'nothing to write for Claude Desktop: give --server or --otlp-endpoint, --workspace-folder or --org-uuid ' +
        '(the policy itself sets no Desktop key)',
    );
  }
  if (flags.format === 'reg') return { bytes: regFileBytes(renderDesktopReg(keys)), notes };
  const text = flags.format === 'mobileconfig' ? renderDesktopMobileconfig(keys) : renderDesktopJson(keys);
  return { bytes: Buffer.from(text), notes };
}

interface Output {
  bytes: Buffer;
  notes: CompileNote[];
}

const err = (s: string): void => void process.stderr.write(`${s}\n`);

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function readToken(flags: CompileFlags): string | null {
  if (flags.token !== undefined && flags.tokenFile !== undefined)
    throw new Error('give --token or --token-file, not both');
  if (flags.tokenFile !== undefined) return readText(flags.tokenFile).trim() || null;
  return flags.token ?? null;
}

function loadFile(file: string): CompiledPolicy | null {
  const r = loadPolicy(readText(file), { file });
  for (const w of r.warnings) err(formatProblem(w));
  if (r.ok) return r.policy;
  for (const e of r.errors) err(formatProblem(e));
  process.exitCode = 1;
  return null;
}

async function inForce(flags: ConfigFlags): Promise<CompiledPolicy> {
  const config = configFromFlags(flags);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    return (await policyInForce(store)).policy;
  } finally {
    await store.close();
  }
}
