#!/usr/bin/env node
// Thin launcher so `npx steward`, `npm start` and `./bin/steward.js` all run the compiled CLI.
import { runCli } from '../dist/src/cli/main.js';

await runCli(process.argv);
