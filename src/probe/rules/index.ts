// The probe rules (KM-EX-0xx), one file each, in id order.

import type { ProbeRule } from '../rule.js';
import kubeletAnonymousPods from './kubelet-anonymous-pods.js';
import kubeletExec from './kubelet-exec.js';
import kubeletReadOnlyPort from './kubelet-read-only-port.js';
import kubeletDiagnostics from './kubelet-diagnostics.js';
import apiAnonymousAccess from './api-anonymous-access.js';
import apiAnonymousAuth from './api-anonymous-auth.js';
import apiPlainHttp from './api-plain-http.js';
import apiVersion from './api-version.js';
import etcdOpen from './etcd-open.js';
import etcdPlainHttp from './etcd-plain-http.js';
import dashboardLogin from './dashboard-login.js';
import dockerApi from './docker-api.js';
import cadvisor from './cadvisor.js';
import componentDebug from './component-debug.js';
import tlsCertificate from './tls-certificate.js';
import reachable from './reachable.js';
import kubeletAnonymousDenied from './kubelet-anonymous-denied.js';

export const probeRules: readonly ProbeRule[] = [
  kubeletAnonymousPods,
  kubeletExec,
  kubeletReadOnlyPort,
  kubeletDiagnostics,
  apiAnonymousAccess,
  apiAnonymousAuth,
  apiPlainHttp,
  apiVersion,
  etcdOpen,
  etcdPlainHttp,
  dashboardLogin,
  dockerApi,
  cadvisor,
  componentDebug,
  tlsCertificate,
  reachable,
  kubeletAnonymousDenied,
];
