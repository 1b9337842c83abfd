import type { Rule } from '../../core/rule.js';
import adminExposed from './admin-exposed.js';
import ingressTls from './ingress-tls.js';
import dashboardLogin from './dashboard-login.js';
import serviceExternal from './service-external.js';
import ingressSnippets from './ingress-snippets.js';
import helmTiller from './helm-tiller.js';

export const exposureRules: Rule[] = [adminExposed, ingressTls, dashboardLogin, serviceExternal, ingressSnippets, helmTiller];
