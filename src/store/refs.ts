// How a user names a run: its id (`12`), `latest`, or `latest~N` (N finished runs before it).

export type RunRef = { type: 'id'; id: number } | { type: 'latest'; back: number };

/** The reference, or undefined when the text is not one (a file name, say). */
export function parseRunRef(text: string): RunRef | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { type: 'id', id: Number(t) };
  const m = /^latest(?:~(\d+))?$/.exec(t);
  return m ? { type: 'latest', back: Number(m[1] ?? 0) } : undefined;
}

export function formatRunRef(ref: RunRef): string {
  return ref.type === 'id' ? String(ref.id) : ref.back === 0 ? 'latest' : `latest~${ref.back}`;
}
