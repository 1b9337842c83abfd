// Reading the query of an exec/attach request URI: the command and the container.

export function execCommand(requestURI: string): { command: string; container: string } {
  const q = requestURI.indexOf('?');
  if (q < 0) return { command: '', container: '' };
  const params = new URLSearchParams(requestURI.slice(q + 1));
  return { command: params.getAll('command').join(' '), container: params.get('container') ?? '' };
}

/** The exec's command as its words (each `command=` parameter is one argv entry). */
export function execArgv(requestURI: string): string[] {
  const q = requestURI.indexOf('?');
  return q < 0 ? [] : new URLSearchParams(requestURI.slice(q + 1)).getAll('command');
}

/** The path of a request URI without its query. */
export function uriPath(requestURI: string): string {
  const q = requestURI.indexOf('?');
  return q < 0 ? requestURI : requestURI.slice(0, q);
}
