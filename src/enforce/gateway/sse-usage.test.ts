import { describe, expect, it } from 'vitest';
import { SseUsageTap } from './sse-usage.js';

/** The usage tap sees a stream in whatever chunks the network delivers (claude-surfaces.md §6.3 event order). */
const STREAM = [
  'event: message_start',
  'data: {"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-5","content":[],"usage":{"input_tokens":10,"cache_read_input_tokens":20,"cache_creation_input_tokens":7,"cache_creation":{"ephemeral_5m_input_tokens":3,"ephemeral_1h_input_tokens":4},"output_tokens":1,"inference_geo":"us"}}}',
  '',
  'event: ping',
  'data: {"type":"ping"}',
  '',
  'event: some_future_event',
  'data: {"type":"some_future_event","x":"é ✓"}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"héllo"}}',
  '',
  'event: message_delta',
  'data: {"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":40}}',
  '',
  'event: message_delta',
  'data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":55}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
].join('\n');

function tapOf(chunks: Buffer[]): SseUsageTap {
  const tap = new SseUsageTap();
  for (const c of chunks) tap.push(c);
  return tap;
}

const expected = {
  input: 10,
  output: 55, // the last cumulative message_delta, not a sum
  cacheRead: 20,
  cacheWrite5m: 3,
  cacheWrite1h: 4,
  serviceTier: null,
  inferenceGeo: 'us',
};

describe('SseUsageTap', () => {
  it('reads message_start and the cumulative message_delta usage', () => {
    const tap = tapOf([Buffer.from(STREAM)]);
    expect(tap.usage).toEqual(expected);
    expect(tap).toMatchObject({ sawUsage: true, completed: true, model: 'claude-sonnet-5', messageId: 'msg_1' });
  });

  it('gives the same answer whatever the chunk boundaries, multi-byte characters split included', () => {
    const bytes = Buffer.from(STREAM);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const tap = tapOf([bytes.subarray(0, cut), bytes.subarray(cut, cut + 13), bytes.subarray(cut + 13)]);
      expect(tap.usage, `cut at ${cut}`).toEqual(expected);
      expect(tap.completed).toBe(true);
    }
    const byByte = tapOf([...bytes].map((b) => Buffer.from([b])));
    expect(byByte.usage).toEqual(expected);
  });

  it('accepts CRLF line ends and data: without a space', () => {
    const crlf = STREAM.replace(/\n/g, '\r\n').replace(/data: /g, 'data:');
    expect(tapOf([Buffer.from(crlf)]).usage).toEqual(expected);
  });

  it('keeps what was seen when the stream stops early, and reports an error event', () => {
    const cut = STREAM.indexOf('event: message_delta');
    const tap = tapOf([
      Buffer.from(STREAM.slice(0, cut)),
      Buffer.from(
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
      ),
    ]);
    expect(tap.usage).toMatchObject({ input: 10, output: 1 });
    expect(tap.completed).toBe(false);
    expect(tap.errorType).toBe('overloaded_error');
  });

  it('ignores malformed data lines and over-long lines of events it does not read', () => {
    const long = `event: content_block_delta\ndata: ${'x'.repeat(5 * 1024 * 1024)}\n\n`;
    const tap = tapOf([
      Buffer.from('event: message_start\ndata: {not json\n\n'),
      Buffer.from(long),
      Buffer.from(STREAM),
    ]);
    expect(tap.usage).toEqual(expected);
  });
});
