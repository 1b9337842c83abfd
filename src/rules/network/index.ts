// NetworkPolicy rules (KM-NP-…): default deny, uncovered and wide-open workloads, the cloud
// metadata endpoint, dead policies. They share one NetworkPolicy index per scan (src/inventory/netpol.ts).

import type { Rule } from '../../core/rule.js';
import defaultDenyIngress from './default-deny-ingress.js';
import defaultDenyEgress from './default-deny-egress.js';
import workloadNotIsolated from './workload-not-isolated.js';
import ingressFromAnywhere from './ingress-from-anywhere.js';
import metadataEgress from './metadata-egress.js';
import policySelectsNothing from './policy-selects-nothing.js';

export const networkRules: Rule[] = [defaultDenyIngress, defaultDenyEgress, workloadNotIsolated, ingressFromAnywhere, metadataEgress, policySelectsNothing];
