import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/app-error.js';
import { decodeOtlpStatus, otlpStatusBody } from './http-status-body.js';

describe('otlpStatusBody', () => {
  it('encodes a google.rpc.Status in the request encoding with the gRPC code the gRPC receiver uses', () => {
    const err = new AppError('invalid_json', 'bad body');
    const json = otlpStatusBody(err, false);
    expect(json.contentType).toBe('application/json');
    expect(JSON.parse(json.body as string)).toEqual({ code: 3, message: 'invalid_json: bad body', details: [] });
    const pb = otlpStatusBody(new AppError('unauthenticated', 'no token'), true);
    expect(pb.contentType).toBe('application/x-protobuf');
    expect(decodeOtlpStatus(pb.body as Buffer)).toEqual({ code: 16, message: 'unauthenticated: no token' });
  });
});
