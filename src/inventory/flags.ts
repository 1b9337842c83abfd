// Command-line flags of Kubernetes components as the components parse them (spf13/pflag for the
// Kubernetes binaries, Go's `flag` package for etcd): `--flag=value`, `--flag value`, boolean
// `--flag` alone, `-v=2`, repeated flags (last one wins for a scalar; all values are kept), and a
// `--` that ends flag parsing. Each value remembers where it was written so findings can point at it.
// Shell command lines (`sh -c "exec kube-apiserver --x …"`) are split into words by `splitShell`.

import type { Path } from '../core/json.js';

export interface FlagValue {
  /** undefined for a boolean flag given without a value */
  value: string | undefined;
  /** where the flag was written, relative to its container (e.g. ['command', 3]) */
  at: Path;
}

/** strconv.ParseBool, which both pflag and Go's flag package use. */
const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A value written in quotes inside an exec-form argument (`--x="true"`) keeps its quotes; read it as meant. */
export function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) return t.slice(1, -1).trim();
  return t;
}

/** A boolean as Go reads it, or undefined when the text is not a boolean (the component would refuse to start). */
export function parseBool(v: string): boolean | undefined {
  const t = unquote(v);
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return undefined;
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

  /**
   * A boolean flag's value: `--x`, `--x=true` (and Go's other spellings: 1, t, T, TRUE, True) are true;
   * absent gives `fallback`. A value Go cannot parse (the component would exit) also gives `fallback`.
   */
  bool(name: string, fallback: boolean): boolean {
    const f = this.get(name);
    if (f === undefined) return fallback;
    if (f.value === undefined) return true;
    return parseBool(f.value) ?? fallback;
  }

  /** The last value as written (quotes removed), or undefined when absent or given without a value. */
  string(name: string): string | undefined {
    const v = this.get(name)?.value;
    return v === undefined ? undefined : unquote(v);
  }

  /** The last value as an integer, or undefined when absent or not an integer. */
  int(name: string): number | undefined {
    const v = this.string(name);
    return v !== undefined && /^[+-]?\d+$/.test(v) ? Number(v) : undefined;
  }

  /**
   * A comma-separated list flag across repeats, as pflag's string-slice flags read it: each
   * occurrence appends (`--authorization-mode=Node --authorization-mode=RBAC` is Node,RBAC).
   */
  list(name: string): string[] {
    const out: string[] = [];
    for (const f of this.all(name)) if (f.value !== undefined) out.push(...splitList(f.value));
    return out;
  }

  /** A comma-separated list flag whose last occurrence replaces the earlier ones (Go `flag` types, such as etcd's URL lists). */
  lastList(name: string): string[] {
    const v = this.get(name)?.value;
    return v === undefined ? [] : splitList(v);
  }

  names(): string[] {
    return [...this.values.keys()];
  }
}

function splitList(v: string): string[] {
  return unquote(v).split(',').map((s) => s.trim()).filter(Boolean);
}

export interface ArgvEntry {
  word: string;
  at: Path;
}

export interface ParseOptions {
  /** Kubernetes components normalise `_` to `-` in flag names (`--audit_log_path` is `--audit-log-path`); etcd does not. */
  normalizeUnderscores?: boolean;
}

/**
 * Parse words into flags. `booleanFlags` lists flags that never take a separate value, so that
 * `--profiling --v=2` is read right; anything else followed by a word that is not itself a flag takes
 * that word (including a lone `-`, as in `--audit-log-path -`).
 */
export function parseFlags(words: readonly ArgvEntry[], booleanFlags: ReadonlySet<string> = new Set(), options: ParseOptions = {}): FlagSet {
  const flags = new FlagSet();
  for (let i = 0; i < words.length; i++) {
    const { word, at } = words[i];
    if (word === '--') break;
    const m = /^--?([A-Za-z0-9][A-Za-z0-9_.-]*)(?:=(.*))?$/s.exec(word);
    if (m === null) continue;
    const name = options.normalizeUnderscores ? m[1].replace(/_/g, '-') : m[1];
    if (m[2] !== undefined) {
      flags.add(name, { value: m[2], at });
      continue;
    }
    const next = words[i + 1];
    if (!booleanFlags.has(name) && next !== undefined && (next.word === '-' || !next.word.startsWith('-'))) {
      flags.add(name, { value: next.word, at });
      i++;
    } else {
      flags.add(name, { value: undefined, at });
    }
  }
  return flags;
}

/** One word of a shell command line: its text after quote removal, and whether it expands a variable or a command. */
export interface ShellWord {
  text: string;
  /** contains an unquoted or double-quoted `$…` or backquote: its final text is only known at run time */
  expands: boolean;
}

/**
 * Split a POSIX shell script into simple commands (separated by newlines, `;`, `&&`, `||`, `|`, `&`,
 * parentheses) of words, the way `sh -c` would before expansion: quotes removed, backslash escapes
 * applied, comments and redirections dropped. Expansions (`$VAR`, `$(…)`, backquotes) stay as written
 * and mark their word. Good enough to find which program a container's shell line runs, with which
 * flags; not a full shell.
 */
export function splitShell(script: string): ShellWord[][] {
  const commands: ShellWord[][] = [];
  let command: ShellWord[] = [];
  let text = '';
  let expands = false;
  let inWord = false;
  let dropNextWord = false;
  const endWord = (): void => {
    if (!inWord) return;
    if (dropNextWord) dropNextWord = false;
    else command.push({ text, expands });
    text = '';
    expands = false;
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (command.length > 0) commands.push(command);
    command = [];
    dropNextWord = false;
  };
  /** `$…` at `i`: copy the expansion (with balanced parentheses or braces) into the word, return the next index */
  const expansion = (i: number): number => {
    const open = script[i + 1];
    if (open === '(' || open === '{') {
      const close = open === '(' ? ')' : '}';
      let depth = 0;
      let j = i + 1;
      for (; j < script.length; j++) {
        if (script[j] === open) depth++;
        else if (script[j] === close && --depth === 0) break;
      }
      text += script.slice(i, j + 1);
      return j + 1;
    }
    let j = i + 1;
    if (j < script.length && /[@*#?$!0-9-]/.test(script[j])) j++;
    else while (j < script.length && /[A-Za-z0-9_]/.test(script[j])) j++;
    text += script.slice(i, j);
    return j;
  };
  let i = 0;
  while (i < script.length) {
    const ch = script[i];
    if (ch === '\\') {
      if (script[i + 1] === '\n') { i += 2; continue; }
      if (i + 1 < script.length) { text += script[i + 1]; inWord = true; }
      i += 2;
      continue;
    }
    if (ch === "'") {
      const end = script.indexOf("'", i + 1);
      const stop = end < 0 ? script.length : end;
      text += script.slice(i + 1, stop);
      inWord = true;
      i = stop + 1;
      continue;
    }
    if (ch === '"') {
      inWord = true;
      i++;
      while (i < script.length && script[i] !== '"') {
        const c = script[i];
        if (c === '\\' && i + 1 < script.length && '"\\$`\n'.includes(script[i + 1])) {
          if (script[i + 1] !== '\n') text += script[i + 1];
          i += 2;
        } else if (c === '$' && i + 1 < script.length && /[A-Za-z_{(@*#?$!0-9-]/.test(script[i + 1])) {
          expands = true;
          i = expansion(i);
        } else if (c === '`') {
          expands = true;
          const end = script.indexOf('`', i + 1);
          const stop = end < 0 ? script.length : end;
          text += script.slice(i, stop + 1);
          i = stop + 1;
        } else {
          text += c;
          i++;
        }
      }
      i++;
      continue;
    }
    if (ch === '$' && i + 1 < script.length && /[A-Za-z_{(@*#?$!0-9-]/.test(script[i + 1])) {
      inWord = true;
      expands = true;
      i = expansion(i);
      continue;
    }
    if (ch === '`') {
      inWord = true;
      expands = true;
      const end = script.indexOf('`', i + 1);
      const stop = end < 0 ? script.length : end;
      text += script.slice(i, stop + 1);
      i = stop + 1;
      continue;
    }
    if (ch === '#' && !inWord) {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    if (ch === '>' || ch === '<') {
      // a redirection: drop an fd number written just before it, the operator and its target word
      if (inWord && /^\d+$/.test(text) && !expands) { text = ''; inWord = false; }
      endWord();
      i++;
      while (i < script.length && (script[i] === '>' || script[i] === '<' || script[i] === '&' || script[i] === '|')) i++;
      if (i < script.length && /[0-9-]/.test(script[i]) && (i + 1 >= script.length || /[\s;&|)]/.test(script[i + 1]))) { i++; continue; }
      dropNextWord = true;
      while (i < script.length && (script[i] === ' ' || script[i] === '\t')) i++;
      continue;
    }
    if (ch === '\n' || ch === ';' || ch === '&' || ch === '|' || ch === '(' || ch === ')') {
      endCommand();
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      endWord();
      i++;
      continue;
    }
    text += ch;
    inWord = true;
    i++;
  }
  endCommand();
  return commands;
}
