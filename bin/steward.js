#!/usr/bin/env node
// Thin launcher so `npx steward`, `npm start` and `./bin/steward.js` all run the compiled CLI.
// `steward hook` runs once per Claude Code prompt and tool call: it skips loading the rest of the CLI (~0.6 s).
if (process.argv[2] === 'hook') {
  const { runHookCommand } = await import('../dist/src/cli/hook.command.js');
  process.exitCode = await runHookCommand(process.argv.slice(3));
} else {
  const { runCli } = await import('../dist/src/cli/main.js');
  await runCli(process.argv);
}
