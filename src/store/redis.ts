import { Redis } from 'ioredis';

/**
 * Optional Redis (DESIGN §4): shared counters and notifications across replicas. Connected at start when
 * `redisUrl` is set and reported by `/readyz`, so a wrong URL is visible before budgets and rate limits depend on
 * it. Commands fail fast instead of queueing forever while Redis is down.
 */
export interface RedisHandle {
  client: Redis;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export async function connectRedis(url: string): Promise<RedisHandle> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 3000,
  });
  client.on('error', () => undefined); // state is surfaced through ping(); ioredis reconnects by itself
  await client.connect();
  return {
    client,
    async ping() {
      try {
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      client.disconnect();
    },
  };
}
