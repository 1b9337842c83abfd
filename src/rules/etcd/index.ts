import type { Rule } from '../../core/rule.js';
import clientCertAuth from './client-cert-auth.js';
import clientPlaintext from './client-plaintext.js';
import autoTls from './auto-tls.js';
import peerPlaintext from './peer-plaintext.js';
import peerCertAuth from './peer-cert-auth.js';

export const etcdRules: Rule[] = [clientCertAuth, clientPlaintext, autoTls, peerPlaintext, peerCertAuth];
