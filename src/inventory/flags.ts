// Command-line flags of Kubernetes components as the components parse them (spf13/pflag):
// `--flag=value`, `--flag value`, boolean `--flag` alone, `-v=2`, repeated flags (last one wins for
// a scalar; all values are kept), and a `--` that ends flag parsing. Each value remembers where it
// was written so findings can point at it.

import type { Path } from '../core/json.js';

export interface FlagValue {
  /** undefined for a boolean flag given without a value */
  value: string | undefined;
  /** where the flag was written, relative to its container (e.g. ['command', 3]) */
  at: Path;
}

export class FlagSet {
  private readonly values = new Map<string, FlagValue[]>();

  add(name: string, value: FlagValue): void {
    let list = this.values.get(name);
    if (list === undefined) this.values.set(name, (list = []));
    list.push(value);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The effective value (the last occurrence), or undefined when the flag is not given. */
  get(name: string): FlagValue | undefined {
    const list = this.values.get(name);
    return list === undefined ? undefined : list[list.length - 1];
  }

  all(name: string): readonly FlagValue[] {
    return this.values.get(name) ?? [];
  }

  /** A boolean flag's value: `--x` and `--x=true` are true; absent gives `fallback`. */
  bool(name: string, fallback: boolean): boolean {
    const f = this.get(name);
    if (f === undefined) return fallback;
    if (f.value === undefined) return true;
    return /^(true|t|1)$/i.test(f.value.trim());
  }

  /** Comma-separated list flags (`--authorization-mode=Node,RBAC`), across repeats. */
  list(name: string): string[] {
    const f = this.get(name);
    return f?.value === undefined ? [] : f.value.split(',').map((s) => s.trim()).filter(Boolean);
  }

  names(): string[] {
    return [...this.values.keys()];
  }
}

export interface ArgvEntry {
  word: string;
  at: Path;
}

/**
 * Parse words into flags. `booleanFlags` lists flags that never take a separate value, so that
 * `--profiling --v=2` is read right; anything else followed by a non-flag word takes that word.
 */
export function parseFlags(words: readonly ArgvEntry[], booleanFlags: ReadonlySet<string> = new Set()): FlagSet {
  const flags = new FlagSet();
  for (let i = 0; i < words.length; i++) {
    const { word, at } = words[i];
    if (word === '--') break;
    const m = /^--?([A-Za-z0-9][A-Za-z0-9_.-]*)(?:=(.*))?$/s.exec(word);
    if (m === null) continue;
    const name = m[1];
    if (m[2] !== undefined) {
      flags.add(name, { value: m[2], at });
      continue;
    }
    const next = words[i + 1];
    if (!booleanFlags.has(name) && next !== undefined && !next.word.startsWith('-')) {
      flags.add(name, { value: next.word, at });
      i++;
    } else {
      flags.add(name, { value: undefined, at });
    }
  }
  return flags;
}
