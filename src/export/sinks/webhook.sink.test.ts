import { describe, expect, it } from 'vitest';
import { webhookKey } from '../../enforce/inference/standard-webhooks.js';
import { webhookHeaders } from './webhook.sink.js';

describe('Standard Webhooks signing', () => {
  it('matches the published test vector (standard-webhooks libraries/javascript webhook.test.ts "sign function works")', () => {
    const key = webhookKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const headers = webhookHeaders(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(headers).toEqual({
      'content-type': 'application/json',
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });
});
