#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50 --single-threaded-gc --no-allocation-site-pretenuring
// Thin launcher so `npx steward`, `npm start` and `./bin/steward.js` all run the compiled CLI. The shebang carries
// the V8 options of src/cli/serve-node-flags.ts (`env -S` passes them to node).
// `steward hook` runs once per Claude Code prompt and tool call: it skips loading the rest of the CLI (~0.6 s).
if (process.argv[2] === 'hook') {
  const { runHookCommand } = await import('../dist/src/cli/hook.command.js');
  process.exitCode = await runHookCommand(process.argv.slice(3));
} else {
  const { runCli } = await import('../dist/src/cli/main.js');
  await runCli(process.argv);
}
