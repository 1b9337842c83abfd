// Where the history store lives, from `--store` or $KUBEMOAT_STORE: `sqlite:PATH` or a plain file
// path is an embedded SQLite file; `postgres://…` or `postgresql://…` is a PostgreSQL server.
// Every message that names a store goes through `redact`: a URL's password is never printed.

import { StoreError } from './errors.js';

export type StoreLocation =
  | { backend: 'sqlite'; path: string }
  | { backend: 'postgres'; url: string; password?: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

export function parseStoreLocation(text: string): StoreLocation {
  const value = text.trim();
  if (value === '') throw new StoreError('the store location is empty: give sqlite:PATH, a file path, or postgres://USER@HOST/DB');
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return { backend: 'postgres', url: value, ...passwordOf(value) };
  if (scheme === 'sqlite') {
    // sqlite:PATH, and the sqlite:///absolute/path spelling other tools use
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/|[^/])/, '');
    if (path === '') throw new StoreError(`store ${value}: no file path after sqlite:`);
    return { backend: 'sqlite', path };
  }
  // a one-letter "scheme" is no scheme at all, and a path may well contain a colon later on
  if (scheme !== undefined && scheme.length > 1 && value.slice(scheme.length + 1).startsWith('//')) {
    throw new StoreError(`store ${redact(value)}: unknown kind of store "${scheme}:"; give sqlite:PATH, a file path, or postgres://USER@HOST/DB`);
  }
  return { backend: 'sqlite', path: value };
}

function passwordOf(url: string): { password?: string } {
  const inAuthority = /^[^:]+:\/\/[^/@?#]*?:([^@/?#]*)@/.exec(url)?.[1];
  const inQuery = /[?&]password=([^&#]*)/.exec(url)?.[1];
  const raw = inAuthority || inQuery;
  if (!raw) return {};
  try {
    return { password: decodeURIComponent(raw) };
  } catch {
    return { password: raw };
  }
}

/** The text with every URL password (in the authority or a `password=` parameter) and the given secrets replaced. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text
    .replace(/(\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/@\s:]*:)[^@/\s]*@/g, '$1[redacted]@')
    .replace(/([?&]password=)[^&#\s]*/gi, '$1[redacted]');
  for (const s of secrets) {
    if (s === undefined || s.length < 3) continue;
    out = out.split(s).join('[redacted]');
    const encoded = encodeURIComponent(s);
    if (encoded !== s) out = out.split(encoded).join('[redacted]');
  }
  return out;
}

/** The store as messages name it: `sqlite:PATH`, or the URL without its password. */
export function describeStore(location: StoreLocation): string {
  return location.backend === 'sqlite' ? `sqlite:${location.path}` : redact(location.url, [location.password]);
}
