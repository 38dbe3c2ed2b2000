/**
 * The kept people's access-graph edges over a window's blocks, merged per person once (calls add, last use is the
 * later): the packed rows are parsed once per tier version instead of once per block and request (tier-cache.ts).
 */
export interface PersonEdges {
  /** Edge numbers (edge_keys), in the order the rows first name them. */
  numbers: number[];
  calls: number[];
  last: number[];
}

export function mergePersonEdges(rows: readonly { person_id: string; edges: string }[]): Map<string, PersonEdges> {
  const out = new Map<string, PersonEdges>();
  const index = new Map<string, Map<number, number>>();
  for (const r of rows) {
    let e = out.get(r.person_id);
    let at = index.get(r.person_id);
    if (!e || !at) {
      out.set(r.person_id, (e = { numbers: [], calls: [], last: [] }));
      index.set(r.person_id, (at = new Map()));
    }
    const into = e;
    const where = at;
    forEachEdge(r.edges, (n, calls, last) => {
      const i = where.get(n);
      if (i === undefined) {
        where.set(n, into.numbers.length);
        into.numbers.push(n);
        into.calls.push(calls);
        into.last.push(last);
      } else {
        into.calls[i] = (into.calls[i] as number) + calls;
        if (last > (into.last[i] as number)) into.last[i] = last;
      }
    });
  }
  return out;
}

/** Calls `fn` for each `n:calls:last` triple of packed person edges, without building strings or arrays. */
function forEachEdge(text: string, fn: (n: number, calls: number, last: number) => void): void {
  const values = [0, 0, 0];
  let field = 0;
  let v = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 44;
    if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
    else if (c === 58) {
      values[field++] = v;
      v = 0;
    } else if (c === 44) {
      if (i > 0) {
        values[field] = v;
        fn(values[0] as number, values[1] as number, values[2] as number);
      }
      field = 0;
      v = 0;
    }
  }
}
