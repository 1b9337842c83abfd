import type { Rule } from '../../core/rule.js';
import privileged from './privileged.js';
import hostPid from './host-pid.js';
import hostIpc from './host-ipc.js';
import hostNetwork from './host-network.js';
import hostPath from './host-path.js';
import hostPathWritable from './host-path-writable.js';
import hostPathSensitive from './host-path-sensitive.js';
import runtimeSocket from './runtime-socket.js';
import capabilitiesAdded from './capabilities-added.js';
import capabilitiesNotDropped from './capabilities-not-dropped.js';
import privilegeEscalation from './privilege-escalation.js';
import runAsRoot from './run-as-root.js';
import runAsNonRootMissing from './run-as-non-root-missing.js';
import readOnlyRootFs from './read-only-root-fs.js';
import seccomp from './seccomp.js';
import apparmor from './apparmor.js';
import procMount from './proc-mount.js';
import sysctls from './sysctls.js';
import hostPort from './host-port.js';
import limitsMissing from './limits-missing.js';
import requestsMissing from './requests-missing.js';
import windowsHostProcess from './windows-host-process.js';
import serviceAccountToken from './service-account-token.js';
import defaultNamespace from './default-namespace.js';
import tlsVerificationOff from './tls-verification-off.js';
import rootGroup from './root-group.js';
import seLinux from './selinux.js';

export const workloadRules: Rule[] = [
  privileged,
  hostPid,
  hostIpc,
  hostNetwork,
  hostPath,
  hostPathWritable,
  hostPathSensitive,
  runtimeSocket,
  capabilitiesAdded,
  capabilitiesNotDropped,
  privilegeEscalation,
  runAsRoot,
  runAsNonRootMissing,
  readOnlyRootFs,
  seccomp,
  apparmor,
  procMount,
  sysctls,
  hostPort,
  limitsMissing,
  requestsMissing,
  windowsHostProcess,
  serviceAccountToken,
  defaultNamespace,
  tlsVerificationOff,
  rootGroup,
  seLinux,
];
