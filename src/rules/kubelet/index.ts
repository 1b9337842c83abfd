import type { Rule } from '../../core/rule.js';
import anonymousAuth from './anonymous-auth.js';
import alwaysAllow from './always-allow.js';
import readOnlyPort from './read-only-port.js';
import noClientCa from './no-client-ca.js';
import certificateRotation from './certificate-rotation.js';

export const kubeletRules: Rule[] = [anonymousAuth, alwaysAllow, readOnlyPort, noClientCa, certificateRotation];
