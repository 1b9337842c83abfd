// What the runtime sensor sees on a node, one event per line of the sensor's output, already
// attributed to a container where it happened in one. The sensor (eBPF through bpftrace, or /proc
// polling where eBPF is unavailable) only gathers these facts; the runtime rules judge them.

/** The container a process runs in, from the runtime's own bundle (its CRI annotations). */
export interface ContainerRef {
  /** the runtime's container id (64 hex) */
  id: string;
  name: string;
  pod: string;
  namespace: string;
  podUID: string;
  image: string;
  /** the node the container runs on (the kubelet's node name) */
  node: string;
}

/** What a file descriptor of a new process points at (fd 0 and 1: a socket means a remote shell). */
export type FdKind = 'socket' | 'tty' | 'pipe' | 'file' | 'none' | 'other';

interface EventBase {
  /** when the kernel saw it (ms since the epoch) */
  time: number;
  pid: number;
  comm: string;
  uid: number;
  /** mount namespace number: ties the event to its container */
  mntns: number;
  /** set by attribution: absent for processes of the node itself */
  container?: ContainerRef;
}

/** What a process runs: the same facts whether its exec was seen or it was found running. */
interface ProcessImage extends EventBase {
  ppid: number;
  /** the file executed, as the process named it (from /proc: the resolved executable) */
  binary: string;
  argv: string[];
  stdin: FdKind;
  stdout: FdKind;
  /** the executable has no name left on disk: a memfd or a deleted file */
  fileless: boolean;
  /** the executable lives in the container's writable layer: written after the image was built */
  upperLayer?: boolean;
}

export interface ExecEvent extends ProcessImage {
  kind: 'exec';
  /** the parent's command name at the time of the exec (`runc`: started from outside the container) */
  parentComm: string;
  /** this is the container's first process (its entrypoint), as its bundle's init.pid says */
  containerInit?: boolean;
}

export interface ConnectEvent extends EventBase {
  kind: 'connect';
  family: 'inet' | 'inet6' | 'unix';
  /** IP address, or the socket path for unix */
  address: string;
  port: number;
}

/** The sensor's names for the places whose opening marks an attack. */
export const WATCHED_PLACES = [
  'static-pods',
  'runtime-socket',
  'kubelet-credentials',
  'host-etc',
  'kubelet-pods',
  'service-account-token',
  'cloud-credentials',
  'ssh-key',
  'kernel-core-pattern',
  'cgroup-release-agent',
  'shell-history',
  'log',
] as const;
export type WatchedPlace = (typeof WATCHED_PLACES)[number];

export interface OpenEvent extends EventBase {
  kind: 'open';
  place: WatchedPlace;
  /** the file's path as far as the sensor could name it */
  path: string;
  write: boolean;
  truncate: boolean;
  /** the file system's device (the kernel's dev_t): tells a pod's own token mount from another's */
  device: number;
}

export const WATCHED_SYSCALLS = ['mount', 'setns', 'unshare', 'init_module', 'finit_module', 'ptrace', 'memfd_create', 'unlink'] as const;
export type WatchedSyscall = (typeof WATCHED_SYSCALLS)[number];

export interface SyscallEvent extends EventBase {
  kind: 'syscall';
  call: WatchedSyscall;
  /** the syscall's telling argument: mount source and type, setns/unshare flags, ptrace target, unlinked path */
  detail: string;
}

/** A process already running when the sensor started, or seen by /proc polling. */
export interface ProcessEvent extends ProcessImage {
  kind: 'process';
}

export interface ExitEvent extends EventBase {
  kind: 'exit';
}

export type RuntimeEvent = ExecEvent | ConnectEvent | OpenEvent | SyscallEvent | ProcessEvent | ExitEvent;
export type RuntimeEventKind = RuntimeEvent['kind'];

/** A process image that started: an exec, or one found running. */
export type ProcessStart = ExecEvent | ProcessEvent;

export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** The name a process runs as: argv[0]'s base name when the binary is a multi-call one (busybox), else the file's. */
export function programName(e: { binary: string; argv: readonly string[] }): string {
  const file = basename(e.binary);
  const arg0 = e.argv[0] !== undefined ? basename(e.argv[0]) : '';
  if ((file === 'busybox' || file === 'toybox') && arg0 !== '' && arg0 !== file) return arg0;
  return file || arg0;
}
