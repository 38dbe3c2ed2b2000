import type { Counter } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { planSessions, type SessionPlan } from './activity-schedule.js';
import { METRIC_DESCRIPTIONS, type DemoMetricName } from './demo-catalog.js';
import { LOGS_SCOPE_NAME, METRICS_SCOPE_NAME, resourceAttributes, scopeVersion } from './demo-resource.js';
import {
  createLogExporter,
  createMetricExporter,
  HistoricMetricReader,
  type ExportTarget,
  type TimeWindow,
  type TrackingLogExporter,
} from './otlp-exporters.js';
import { generateOrganisation, type DemoOrganisation } from './organisation.js';
import { scriptSession, type SessionScript } from './session-script.js';

/**
 * Sends a demo organisation through the OTel SDK and the real OTLP exporters, one LoggerProvider (and, for
 * Claude Code, one MeterProvider) per install — person × surface × app version — exactly as each install would.
 * Memory stays bounded: a few installs are open at a time and each flushes every `flushEveryEvents` records.
 */

export interface SendOptions extends ExportTarget {
  readonly people: number;
  readonly days: number;
  readonly seed: number;
  /** End of the simulated window (default: now). */
  readonly endMs?: number;
  /** Installs sent in parallel. */
  readonly concurrency?: number;
  readonly flushEveryEvents?: number;
  /** Called once the plan is known (total sessions) and after each session is handed to the SDK. */
  readonly onProgress?: (sessionsDone: number, sessionsTotal: number) => void;
}

export interface DemoSummary {
  readonly people: number;
  /** Distinct OTel resources (installs): person × surface × app version. */
  readonly resources: number;
  readonly sessions: number;
  /** Log records generated, all acknowledged by the receiver (the run fails otherwise). */
  readonly events: number;
  /** Metric data points generated and acknowledged. */
  readonly metricPoints: number;
  readonly costUsd: number;
  readonly seconds: number;
}

interface InstallWork {
  readonly plans: SessionPlan[];
}

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_FLUSH_EVERY = 2_000;
/** The batch processor's export batch; the OTLP exporter allows 30 concurrent exports, far above what one flush needs. */
const EXPORT_BATCH = 512;

export async function sendDemo(options: SendOptions): Promise<DemoSummary> {
  const started = performance.now();
  const endMs = options.endMs ?? Date.now();
  const org = generateOrganisation({ people: options.people, days: options.days, seed: options.seed });
  const installs = groupByInstall(org, endMs);
  const sessionsTotal = installs.reduce((sum, install) => sum + install.plans.length, 0);
  const totals = { sessions: 0, events: 0, metricPoints: 0, costUsd: 0 };
  options.onProgress?.(0, sessionsTotal);

  // On the first failure the other workers stop taking work, and every open install is shut down before the
  // error is reported, so nothing keeps sending behind the user's back.
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < installs.length && !failed) {
      const install = installs[next++] as InstallWork;
      try {
        const sent = await sendInstall(
          org,
          install,
          options,
          () => failed,
          () => {
            totals.sessions++;
            options.onProgress?.(totals.sessions, sessionsTotal);
          },
        );
        totals.events += sent.events;
        totals.metricPoints += sent.metricPoints;
        totals.costUsd += sent.costUsd;
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, installs.length));
  const outcomes = await Promise.allSettled(Array.from({ length: workers }, worker));
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure !== undefined) throw failure.reason;

  return {
    people: org.people.length,
    resources: installs.length,
    sessions: totals.sessions,
    events: totals.events,
    metricPoints: totals.metricPoints,
    costUsd: totals.costUsd,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Every session of the window, grouped by the install that emits it (a new app version is a new resource). */
function groupByInstall(org: DemoOrganisation, endMs: number): InstallWork[] {
  const installs = new Map<string, InstallWork>();
  for (const person of org.people) {
    for (const plan of planSessions(org, person, endMs)) {
      const key = `${person.index}|${plan.surface}|${plan.appVersion}`;
      let install = installs.get(key);
      if (install === undefined) installs.set(key, (install = { plans: [] }));
      install.plans.push(plan);
    }
  }
  return [...installs.values()];
}

async function sendInstall(
  org: DemoOrganisation,
  install: InstallWork,
  options: SendOptions,
  stopped: () => boolean,
  onSession: () => void,
): Promise<{ events: number; metricPoints: number; costUsd: number }> {
  const first = install.plans[0] as SessionPlan;
  const pipeline = new InstallPipeline(options, first);
  const flushEvery = options.flushEveryEvents ?? DEFAULT_FLUSH_EVERY;
  let events = 0;
  let costUsd = 0;
  let pending = 0;
  try {
    for (const plan of install.plans) {
      if (stopped()) return { events, metricPoints: pipeline.metricPoints, costUsd };
      const script = scriptSession(org, plan);
      pipeline.record(script);
      events += script.events.length;
      costUsd += script.costUsd;
      pending += script.events.length;
      onSession();
      if (pending >= flushEvery) {
        await pipeline.flush();
        pending = 0;
      }
    }
    await pipeline.flush();
  } finally {
    await pipeline.shutdown();
  }
  pipeline.assertAllAcknowledged(events);
  return { events, metricPoints: pipeline.metricPoints, costUsd };
}

/** The SDK objects of one install. */
class InstallPipeline {
  metricPoints = 0;
  private readonly logExporter: TrackingLogExporter;
  private readonly loggerProvider: LoggerProvider;
  private readonly logger: Logger;
  private readonly metricReader: HistoricMetricReader | null = null;
  private readonly meterProvider: MeterProvider | null = null;
  private readonly counters = new Map<DemoMetricName, Counter>();
  private readonly windows = new Map<string, TimeWindow>();
  private pointsRecorded = 0;

  constructor(target: ExportTarget, plan: SessionPlan) {
    const resource = resourceFromAttributes(resourceAttributes(plan.person, plan.surface, plan.appVersion));
    const version = scopeVersion(plan.surface, plan.appVersion);
    this.logExporter = createLogExporter(target);
    this.loggerProvider = new LoggerProvider({
      resource,
      processors: [
        new BatchLogRecordProcessor(this.logExporter, {
          maxExportBatchSize: EXPORT_BATCH,
          // Never the limit in practice: flush() drains long before; a drop would still be caught by the count.
          maxQueueSize: 1_000_000,
          scheduledDelayMillis: 1_000,
        }),
      ],
    });
    this.logger = this.loggerProvider.getLogger(LOGS_SCOPE_NAME, version);
    if (plan.surface === 'claude_code') {
      this.metricReader = new HistoricMetricReader(createMetricExporter(target));
      this.meterProvider = new MeterProvider({ resource, readers: [this.metricReader] });
      const meter = this.meterProvider.getMeter(METRICS_SCOPE_NAME, version);
      for (const [name, { unit, description }] of Object.entries(METRIC_DESCRIPTIONS)) {
        this.counters.set(name as DemoMetricName, meter.createCounter(name, { unit, description }));
      }
    }
  }

  record(script: SessionScript): void {
    for (const event of script.events) {
      // A Date (not epoch ms) because the SDK reads numbers below the process start time as performance.now().
      const time = new Date(event.timeMs);
      this.logger.emit({ timestamp: time, observedTimestamp: time, body: event.body, attributes: event.attributes });
    }
    if (script.metrics.length === 0) return;
    this.windows.set(script.sessionId, { startMs: script.startMs, endMs: script.endMs });
    for (const point of script.metrics) this.counters.get(point.name)?.add(point.value, point.attributes);
    this.pointsRecorded += script.metrics.length;
  }

  async flush(): Promise<void> {
    await this.loggerProvider.forceFlush();
    await this.logExporter.forceFlush();
    if (this.logExporter.failure) throw this.logExporter.failure;
    if (this.metricReader !== null && this.windows.size > 0) {
      this.metricPoints += await this.metricReader.exportWindowed(this.windows);
      this.windows.clear();
    }
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.loggerProvider.shutdown(), this.meterProvider?.shutdown()]);
  }

  /** Fails the run when anything generated was not acknowledged (dropped in the SDK or refused by the receiver). */
  assertAllAcknowledged(events: number): void {
    if (this.logExporter.failure) throw this.logExporter.failure;
    if (this.logExporter.acknowledged !== events) {
      throw new Error(`only ${this.logExporter.acknowledged} of ${events} log records were acknowledged`);
    }
    if (this.metricPoints !== this.pointsRecorded) {
      throw new Error(`only ${this.metricPoints} of ${this.pointsRecorded} metric points were exported`);
    }
  }
}
