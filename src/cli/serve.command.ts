import type { Command } from 'commander';
import { startSteward } from '../main.js';
import { addConfigOptions, configFromFlags, type ConfigFlags } from './config-options.js';
import { setupInstructions } from './setup-instructions.js';

export function registerServeCommand(program: Command): void {
  addConfigOptions(
    program
      .command('serve')
      .description('run Steward: OTLP receivers, REST API and console')
      .option('--port <port>', 'HTTP port (OTLP/HTTP, API, console)')
      .option('--grpc-port <port>', 'OTLP/gRPC port')
      .option('--host <host>', 'interface to bind'),
  ).action(async (flags: ConfigFlags) => {
    const config = configFromFlags(flags);
    const steward = await startSteward(config);
    const b = steward.bootstrap;
    process.stderr.write(
      setupInstructions({
        baseUrl: steward.httpUrl,
        grpcUrl: steward.grpcUrl,
        adminToken: b?.admin.token ?? null,
        ingestToken: b?.ingest.token ?? null,
      }) + '\n',
    );
    steward.logger.info(
      { http: steward.httpUrl, grpc: steward.grpcUrl, database: steward.store.dialect },
      'steward ready',
    );
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      steward.logger.info({ signal }, 'draining and shutting down');
      steward
        .stop()
        .then(() => process.exit(0))
        .catch((err: unknown) => {
          steward.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
