import type { SinkConfig } from '../../config/export.schema.js';
import { OcsfFileSink } from './ocsf-file.sink.js';
import { OcsfHttpSink } from './ocsf-http.sink.js';
import { PagerDutySink } from './pagerduty.sink.js';
import type { Sink } from './sink.js';
import { SlackSink } from './slack.sink.js';
import { SplunkHecSink } from './splunk-hec.sink.js';
import { SyslogSink } from './syslog.sink.js';
import { WebhookSink } from './webhook.sink.js';

export function createSink(config: SinkConfig, batchSize: number): Sink {
  switch (config.type) {
    case 'ocsf_http':
      return new OcsfHttpSink(config, batchSize);
    case 'ocsf_file':
      return new OcsfFileSink(config, batchSize);
    case 'syslog':
      return new SyslogSink(config, batchSize);
    case 'splunk_hec':
      return new SplunkHecSink(config, batchSize);
    case 'webhook':
      return new WebhookSink(config);
    case 'pagerduty':
      return new PagerDutySink(config);
    case 'slack':
      return new SlackSink(config);
  }
}
