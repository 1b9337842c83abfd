// A store that cannot be opened, read or written: the CLI prints the message alone and exits 2
// (DESIGN.md: unreadable input). The message names the store with its password redacted.

import { InputError } from '../core/errors.js';

export class StoreError extends InputError {}
