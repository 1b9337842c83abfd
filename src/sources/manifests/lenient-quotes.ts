// kubectl reads YAML with go-yaml (through sigs.k8s.io/yaml), which accepts a quoted scalar whose
// continuation lines are indented less than YAML 1.2 allows:
//
//     command:
//     - "echo start && \
//   sleep 10 && \
//   echo done"
//
// The `yaml` library refuses it ("Missing closing "quote"). Folding a quoted scalar strips the
// leading white space of its continuation lines, so indenting them further changes no value: this
// module does that, and the document is parsed again. Line numbers stay as they were.

export interface QuoteRepair {
  text: string;
  /** 0-based lines where a re-indented quoted scalar starts */
  lines: number[];
}

/** Where a quoted scalar starts on a line: after the indentation, a `- ` item marker, or a `key: `. */
const VALUE_START = /^(\s*(?:-\s+)*(?:(?:[^\s#'"][^#]*?|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'):\s+)?)(["'])/;

/** The index just past the closing quote of a scalar opened at `from` (the opening quote), or -1 when the line ends first. */
function closingQuote(line: string, from: number): number {
  const quote = line[from];
  for (let i = from + 1; i < line.length; i++) {
    const ch = line[i];
    if (quote === '"' && ch === '\\') {
      i++;
      continue;
    }
    if (ch !== quote) continue;
    if (quote === "'" && line[i + 1] === "'") {
      i++;
      continue;
    }
    return i + 1;
  }
  return -1;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/**
 * Re-indent the continuation lines of quoted scalars that go below their parent's indentation.
 * Returns undefined when no scalar needed it (the error is something else).
 */
export function reindentQuotedContinuations(text: string): QuoteRepair | undefined {
  const lines = text.split('\n');
  const repaired: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = VALUE_START.exec(lines[i]);
    if (m === null) continue;
    const open = m[1].length;
    if (closingQuote(lines[i], open) >= 0) continue;
    // the scalar continues: every following line up to the closing quote must sit deeper than the line it started on
    const least = indentOf(lines[i]) + 1;
    let changed = false;
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j];
      if (line.trim() !== '' && indentOf(line) < least) {
        lines[j] = ' '.repeat(least) + line.trimStart();
        changed = true;
      }
      // a continuation line is inside the scalar from its first character, so scan it from just before
      if (closingQuote(`${m[2]}${lines[j].trimStart()}`, 0) >= 0) break;
    }
    if (changed) repaired.push(i);
    i = j;
  }
  return repaired.length === 0 ? undefined : { text: lines.join('\n'), lines: repaired };
}
