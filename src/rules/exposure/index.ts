import type { Rule } from '../../core/rule.js';
import adminExposed from './admin-exposed.js';
import ingressTls from './ingress-tls.js';
import dashboardLogin from './dashboard-login.js';

export const exposureRules: Rule[] = [adminExposed, ingressTls, dashboardLogin];
