import { z } from 'zod';
import type { RegisteredSpec } from './route-spec.js';

/** Builds the OpenAPI 3.1 document from the route declarations (zod → JSON Schema via z.toJSONSchema). */
export function buildOpenApi(specs: readonly RegisteredSpec[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const s of specs) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['query', s.query],
      ['path', s.params],
    ] as const) {
      if (!schema) continue;
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
        properties?: Record<string, { description?: string }>;
        required?: string[];
      };
      for (const [name, prop] of Object.entries(json.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (json.required ?? []).includes(name),
          schema: prop,
          ...(prop.description ? { description: prop.description } : {}),
        });
      }
    }
    const op: Record<string, unknown> = {
      summary: s.summary,
      tags: [s.tag],
      parameters,
      security: s.access === 'public' ? [] : [{ bearer: [] }],
      'x-steward-roles': s.access,
      responses: {
        '200': { description: 'OK' },
        '400': { $ref: '#/components/responses/Error' },
        '401': { $ref: '#/components/responses/Error' },
        '403': { $ref: '#/components/responses/Error' },
      },
    };
    if (s.body) {
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: z.toJSONSchema(s.body, { io: 'input', unrepresentable: 'any' }) } },
      };
    }
    (paths[s.url] ??= {})[s.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Steward API', version, description: 'REST API of Steward. Errors: see docs/errors.md.' },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: {
        Error: {
          description: 'Error',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  error: {
                    type: 'object',
                    properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
                    required: ['code', 'message'],
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
