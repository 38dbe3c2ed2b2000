import type { Reporter, TestModule } from 'vitest/node';

/**
 * CI reads the plain closing line `N passed, N failed` (not Vitest's own summary),
 * so this reporter prints exactly that, last, after every test module has finished.
 */
export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
      // A module that failed to load (syntax error, failing beforeAll) has no passing tests; count it as a failure.
      if (mod.state() === 'failed' && [...mod.children.allTests()].every((t) => t.result().state !== 'failed')) {
        failed += 1;
      }
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
