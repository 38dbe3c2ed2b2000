import { useMemo } from 'react';
import type { Page, Person } from './api/types';
import { useApi } from './use-api';

/**
 * Names for person ids (usage by person and session lists carry ids). One page of the most recently active 500;
 * an id outside it is shown shortened, still linking to the person.
 */
export function usePeopleIndex(): Map<string, Person> {
  const res = useApi<Page<Person>>('/api/v1/people?limit=500');
  return useMemo(() => new Map(res.state === 'ready' ? res.data.items.map((p) => [p.id, p]) : []), [res]);
}
