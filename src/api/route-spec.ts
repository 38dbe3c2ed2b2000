import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteAccess } from '../identity/roles.js';
import { parseQuery } from './pagination.js';

/**
 * One declaration per REST route: method, path, roles, zod schemas for params/query/body, and the handler.
 * The same declarations generate the OpenAPI document, so documentation cannot drift from validation.
 */
export interface RouteSpec<Q extends z.ZodType, P extends z.ZodType, B extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  access: RouteAccess;
  summary: string;
  tag: string;
  query?: Q;
  params?: P;
  body?: B;
  handler: (
    input: { query: z.infer<Q>; params: z.infer<P>; body: z.infer<B>; request: FastifyRequest },
    reply: FastifyReply,
  ) => Promise<unknown>;
}

export interface RegisteredSpec {
  method: string;
  url: string;
  access: RouteAccess;
  summary: string;
  tag: string;
  query?: z.ZodType;
  params?: z.ZodType;
  body?: z.ZodType;
}

const empty = z.object({});

export function defineRoute<
  Q extends z.ZodType = typeof empty,
  P extends z.ZodType = typeof empty,
  B extends z.ZodType = typeof empty,
>(app: FastifyInstance, registry: RegisteredSpec[], spec: RouteSpec<Q, P, B>): void {
  registry.push({
    method: spec.method,
    url: spec.url,
    access: spec.access,
    summary: spec.summary,
    tag: spec.tag,
    ...(spec.query ? { query: spec.query } : {}),
    ...(spec.params ? { params: spec.params } : {}),
    ...(spec.body ? { body: spec.body } : {}),
  });
  // Fastify path syntax `:id` from the OpenAPI-style `{id}` used in specs.
  const url = spec.url.replace(/\{(\w+)\}/g, ':$1');
  app.route({
    method: spec.method,
    url,
    config: { access: spec.access },
    handler: async (request, reply) => {
      const query = parseQuery(spec.query ?? empty, request.query ?? {});
      const params = parseQuery(spec.params ?? empty, request.params ?? {});
      const body = spec.body ? parseQuery(spec.body, request.body ?? {}) : {};
      return spec.handler({ query, params, body, request } as never, reply);
    },
  });
}
