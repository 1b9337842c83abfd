// The two glob dialects of `.kubemoat.yaml`: names and rule ids, where `*` is any run of characters,
// and file paths, where `*` stays inside one directory and `**` crosses them.

const REGEX_SPECIAL = /[.+?^${}()|[\]\\]/g;

function escape(s: string): string {
  return s.replace(REGEX_SPECIAL, '\\$&');
}

export function isGlob(pattern: string): boolean {
  return pattern.includes('*');
}

/** `system:serviceaccount:flux-system:*`, `KM-WL-*`, `cilium*`: `*` matches anything, `/` included. */
export function nameGlob(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map(escape).join('.*') + '$');
}

export function nameMatches(pattern: string, value: string): boolean {
  return isGlob(pattern) ? nameGlob(pattern).test(value) : pattern === value;
}

/**
 * `k8s/dev/**`, `**\/*.yaml`, `charts/*\/templates/*.yaml`: `*` and `?` stay inside one path
 * segment, `**` spans any number of them (none included), and a trailing `/` means everything below.
 */
export function pathGlob(pattern: string): RegExp {
  // `./k8s` is how many people write a relative path; the file it is matched against has no `./`
  const relative = pattern.replace(/^(\.\/)+/, '');
  const p = relative.endsWith('/') ? `${relative}**` : relative;
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') {
      // `**/` may match no directory at all, so `**/x.yaml` matches `x.yaml` too
      if (p[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += escape(c);
  }
  return new RegExp('^' + re + '$');
}

/** A pattern of nothing but `*` and `/` matches (nearly) every value: it narrows nothing. */
export function matchesEverything(pattern: string): boolean {
  return /^[*/]+$/.test(pattern);
}
