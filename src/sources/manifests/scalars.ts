// Plain-scalar resolution with the YAML 1.1 rules Kubernetes' decoder applies (so `on` is true and
// `0644` is 420, as kubectl would send them), except timestamps and base-60 numbers, which stay
// strings, and except forms without a digit that the YAML 1.1 patterns would turn into NaN. The full
// parser resolves plain scalars with this same function, so both paths agree by construction; the
// differential test compares it with the `yaml` library's own YAML 1.1 resolution.

import type { JsonPrimitive } from '../../core/json.js';

const TRUE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const INT_BIN = /^[-+]?0b[0-1_]+$/;
const INT_OCT = /^[-+]?0[0-7_]+$/;
const INT_DEC = /^[-+]?[0-9][0-9_]*$/;
const INT_HEX = /^[-+]?0x[0-9a-fA-F_]+$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/;

function parseInteger(s: string, prefix: number, radix: number): number {
  const sign = s[0];
  const offset = sign === '-' || sign === '+' ? prefix + 1 : prefix;
  const n = parseInt(s.substring(offset).replace(/_/g, ''), radix);
  return sign === '-' ? -1 * n : n;
}

/**
 * The YAML 1.1 patterns also match forms without a digit (`.`, `-.`, `0x_`, `0b_`, `0_`, `._`), which
 * would come out as NaN; Kubernetes' decoder reads them as strings, and so does kubemoat.
 */
function numberOrString(n: number, s: string): number | string {
  return Number.isNaN(n) ? s : n;
}

/** Resolve a plain (unquoted) scalar. Most values in manifests are words, so test the cheap cases first. */
export function resolvePlainScalar(s: string): JsonPrimitive {
  const c = s.charCodeAt(0);
  // Fast exit: a plain scalar starting with a letter other than the boolean/null initials is a string.
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
    switch (c) {
      case 121: case 89: case 110: case 78: case 116: case 84: case 102: case 70: case 111: case 79:
        if (s.length <= 5) {
          if (TRUE.test(s)) return true;
          if (FALSE.test(s)) return false;
          if (NULL.test(s)) return null;
        }
        return s;
      default:
        return s;
    }
  }
  if (NULL.test(s)) return null;
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    if (INT_BIN.test(s)) return numberOrString(parseInteger(s, 2, 2), s);
    if (INT_OCT.test(s)) return numberOrString(parseInteger(s, 1, 8), s);
    if (INT_DEC.test(s)) return parseInteger(s, 0, 10);
    if (INT_HEX.test(s)) return numberOrString(parseInteger(s, 2, 16), s);
    if (FLOAT_SPECIAL.test(s)) {
      if (s.slice(-3).toLowerCase() === 'nan') return NaN;
      return s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
    if (FLOAT_EXP.test(s) || FLOAT.test(s)) return numberOrString(parseFloat(s.replace(/_/g, '')), s);
  }
  return s;
}
