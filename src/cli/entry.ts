// Executable entry for development (`npm run dev`, `tsx src/cli/entry.ts …`); bin/steward.js is the built one.
import { runCli } from './main.js';

await runCli(process.argv);
