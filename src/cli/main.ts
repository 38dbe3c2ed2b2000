import { Command } from 'commander';
import { isAppError } from '../errors/app-error.js';
import { version } from '../version.js';
import { registerAuditCommand } from './audit.command.js';
import { registerBudgetsCommand } from './budgets.command.js';
import { registerCheckCommand } from './check-docs.command.js';
import { registerDemoCommand } from './demo/demo.command.js';
import { registerDetectCommand } from './detect.command.js';
import { registerExportCommand } from './export.command.js';
import { registerGatewayKeyCommand } from './gateway-key.command.js';
import { registerGovCommand } from './gov.command.js';
import { registerGovExchangeCommand } from './gov-exchange.command.js';
import { registerGovForumCommand } from './gov-forum.command.js';
import { registerGovRaciCommand } from './gov-raci.command.js';
import { registerHookCommand } from './hook.command.js';
import { registerInitCommand } from './init.command.js';
import { registerKeysCommand } from './keys.command.js';
import { registerPolicyCommand } from './policy.command.js';
import { registerRollupsCommand } from './rollups.command.js';
import { registerServeCommand } from './serve.command.js';
import { registerStatusCommand } from './status.command.js';

/** The `steward` command. Errors print one clear line to stderr and exit 1 — never a stack for expected errors. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('steward')
    .description('Governance and security control plane for Claude Code, Cowork and the Claude apps')
    .version(version);
  registerServeCommand(program);
  registerStatusCommand(program);
  registerKeysCommand(program);
  registerDemoCommand(program);
  registerRollupsCommand(program);
  registerDetectCommand(program);
  registerPolicyCommand(program);
  registerHookCommand(program);
  registerGatewayKeyCommand(program);
  registerBudgetsCommand(program);
  registerGovCommand(program);
  registerCheckCommand(program);
  registerGovRaciCommand(program);
  registerGovForumCommand(program);
  registerGovExchangeCommand(program);
  registerInitCommand(program);
  registerExportCommand(program);
  registerAuditCommand(program);
  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    const message = isAppError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`steward: ${message}\n`);
    process.exitCode = 1;
  }
}
