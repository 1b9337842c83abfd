// Exit codes from DESIGN.md: 0 clean, 1 findings at or above --fail-on, 2 bad usage or unreadable input.

import { InputError } from '../core/errors.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** A user mistake: printed without a stack trace, exit code 2. */
export class UsageError extends InputError {}
