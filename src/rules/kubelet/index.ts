import type { Rule } from '../../core/rule.js';
import anonymousAuth from './anonymous-auth.js';
import alwaysAllow from './always-allow.js';
import readOnlyPort from './read-only-port.js';
import noClientCa from './no-client-ca.js';
import certificateRotation from './certificate-rotation.js';
import staticPodUrl from './static-pod-url.js';
import iptablesChains from './iptables-chains.js';
import streamingTimeout from './streaming-timeout.js';
import podPidsLimit from './pod-pids-limit.js';
import tlsCiphers from './tls-ciphers.js';

export const kubeletRules: Rule[] = [anonymousAuth, alwaysAllow, readOnlyPort, noClientCa, certificateRotation, staticPodUrl, iptablesChains, streamingTimeout, podPidsLimit, tlsCiphers];
