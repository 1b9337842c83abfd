// Errors that mean the input (flags, a file, a cluster, a node) is wrong or unreachable, not that
// kubemoat is: the CLI prints their message alone and exits 2. Each source's error extends this,
// so the CLI needs no import of the (large) modules that throw them.

export class InputError extends Error {}
