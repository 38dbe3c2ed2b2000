import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SinkOf } from '../../config/export.schema.js';
import type { ExportRecord } from '../export-record.js';
import { toOcsf } from '../ocsf.js';
import { DELIVERED, type Delivery, type DeliveryResult, type Sink } from './sink.js';

/**
 * OCSF 1.8.0 events appended to a file, one JSON object per line. The file is opened, written, fsynced and closed
 * per batch, so a batch counts as delivered only once it is on disk, and log rotation that moves the file away is
 * followed on the next batch (no copytruncate needed).
 */
export class OcsfFileSink implements Sink {
  readonly maxBatch: number;

  constructor(
    readonly config: SinkOf<'ocsf_file'>,
    batchSize: number,
  ) {
    this.maxBatch = batchSize;
  }

  render(record: ExportRecord): unknown {
    return toOcsf(record);
  }

  async deliver(batch: readonly Delivery[]): Promise<DeliveryResult> {
    await mkdir(dirname(this.config.path), { recursive: true });
    const file = await open(this.config.path, 'a', 0o640);
    try {
      await file.writeFile(batch.map((d) => JSON.stringify(d.payload) + '\n').join(''), 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    return DELIVERED;
  }

  async close(): Promise<void> {}
}
