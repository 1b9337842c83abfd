// Shortest paths on the attack graph. Proved edges cost one step, structural edges nothing, so a
// 0-1 breadth-first search (a deque) finds the fewest doors. Searches run backwards from each
// asset, so one search gives every start's distance to it: "any pod" has thousands of starts.

import type { AttackGraph } from './graph.js';

export interface Distances {
  /** proved steps from each vertex to the target; Infinity where it cannot reach */
  dist: Float64Array;
  /** the edge to take from each vertex toward the target (-1: none, or the target itself) */
  next: Int32Array;
}

/** Distances from every vertex to `target`, without the edges `closed` says are fixed. */
export function distancesTo(graph: AttackGraph, target: number, closed?: (edge: number) => boolean): Distances {
  const n = graph.vertices.length;
  const dist = new Float64Array(n).fill(Infinity);
  const next = new Int32Array(n).fill(-1);
  // a deque in one array: weight-0 edges go to the front, weight-1 edges to the back
  const deque = new Int32Array(2 * graph.edges.length + 2 * n + 2);
  let head = graph.edges.length + n + 1;
  let tail = head;
  dist[target] = 0;
  deque[tail++] = target;
  while (head < tail) {
    const v = deque[head++];
    const d = dist[v];
    for (const e of graph.in[v]) {
      if (closed?.(e)) continue;
      const edge = graph.edges[e];
      const w = edge.proof ? 1 : 0;
      const u = edge.from;
      if (d + w < dist[u]) {
        dist[u] = d + w;
        next[u] = e;
        if (w === 0) deque[--head] = u;
        else deque[tail++] = u;
      }
    }
  }
  return { dist, next };
}

/** The edges from `start` to the target, following `next`. */
export function pathFrom(graph: AttackGraph, d: Distances, start: number): number[] | undefined {
  if (!Number.isFinite(d.dist[start])) return undefined;
  const edges: number[] = [];
  for (let v = start, hops = 0; d.next[v] !== -1; hops++) {
    if (hops > graph.vertices.length) throw new Error('attack graph: a cycle in the shortest-path tree');
    const e = d.next[v];
    edges.push(e);
    v = graph.edges[e].to;
  }
  return edges;
}
