// The eBPF sensor: a bpftrace program, generated for this node, run as a subprocess. Only kernel
// tracepoints are used (no kprobes: many kernels, these machines' among them, have no kprobe
// events), and everything is filtered in the kernel to what a runtime rule can judge, so the
// volume that crosses into Node stays small. Each printf is one line of tab-separated fields;
// `parseSensorLine` turns them into raw records and counts, never throws on, whatever is garbled.

import { PLACE_CODES } from './places.js';

/** Arguments read per exec (in pairs: one printf may not exceed the 512-byte BPF stack). */
export const ARGV_READ = 8;
/** bytes per string read in the kernel (BPFTRACE_STRLEN) */
export const SENSOR_STRLEN = 160;

export interface WatchedInode {
  ino: number;
  /** the kernel's internal dev_t (MAJOR << 20 | MINOR) */
  dev: number;
  code: number;
}

export interface ProgramOptions {
  /** the node's own mount namespace: processes in it are the node's, not a container's */
  hostMntns: number;
  /** directories whose files (up to 4 levels down) are watched: static pods, host /etc, kubelet credentials */
  watched: readonly WatchedInode[];
  /** the tracepoints this kernel has (`syscalls:sys_enter_mount`…); probes for missing ones are left out */
  tracepoints: ReadonlySet<string>;
}

export interface SensorProgram {
  text: string;
  /** watched syscalls this kernel has no tracepoint for (a kernel without modules has no init_module) */
  missing: string[];
}

/**
 * A test of a file name's first bytes as one 64-bit load, so the kernel side copies no string (a
 * string comparison costs a STRLEN copy on the 512-byte BPF stack). A name shorter than 8 bytes is
 * compared with its NUL, so `.ssh` does not match `.sshd`; a longer one by its first 8 bytes.
 */
export function nameIs(variable: string, name: string): string {
  const bytes = Buffer.alloc(8);
  bytes.write(name.slice(0, 8), 'latin1');
  const used = Math.min(8, name.length + 1);
  const value = bytes.readBigUInt64LE(0);
  const mask = used === 8 ? 0xffffffffffffffffn : (1n << BigInt(8 * used)) - 1n;
  return used === 8 ? `${variable} == 0x${value.toString(16)}` : `(${variable} & 0x${mask.toString(16)}) == 0x${value.toString(16)}`;
}

const MODE = (fd: string): string => `(*($f + ${fd}))->f_inode->i_mode`;

/** The bpftrace program. Container-only probes test the mount namespace first: it is the cheapest filter. */
export function sensorProgram(o: ProgramOptions): SensorProgram {
  const host = String(o.hostMntns);
  const inContainer = `curtask->nsproxy->mnt_ns->ns.inum != ${host}`;
  const watches = o.watched.map((w) => `  @w[${w.ino}, ${w.dev}] = ${w.code};`).join('\n');
  const pairs = [];
  for (let i = 0; i < ARGV_READ; i += 2) pairs.push(`  printf("A\\t%d\\t${i}\\t%s\\t%s\\n", tid, str(*(args->argv + ${i})), str(*(args->argv + ${i + 1})));`);
  const ancestor = (n: number): string => {
    const lines = [];
    for (let i = 0; i < n; i++) lines.push(`  if ($k == 0) { $p = $p->d_parent; $k = @w[$p->d_inode->i_ino, $p->d_sb->s_dev]; }`);
    return lines.join('\n');
  };
  const opened = (probe: string): string => `tracepoint:syscalls:${probe} /args->ret >= 0 && ${inContainer}/ {
  $f = *(curtask->files->fdt->fd + args->ret);
  $d = $f->f_path.dentry;
  $p = $d->d_parent;
  $k = @w[$p->d_inode->i_ino, $p->d_sb->s_dev];
${ancestor(3)}
  $n8 = *(uint64 *)($d->d_name.name);
  $p8 = *(uint64 *)($d->d_parent->d_name.name);
  if ($k == 0) {
    if (${nameIs('$n8', 'token')}) { $k = ${PLACE_CODES['service-account-token']}; }
    else if (${nameIs('$n8', 'core_pattern')}) { $k = ${PLACE_CODES['kernel-core-pattern']}; }
    else if (${nameIs('$n8', 'release_agent')}) { $k = ${PLACE_CODES['cgroup-release-agent']}; }
    else if (${nameIs('$p8', '.aws')} || ${nameIs('$p8', 'gcloud')} || ${nameIs('$p8', '.azure')}) { $k = ${PLACE_CODES['cloud-credentials']}; }
    else if (${nameIs('$p8', '.ssh')}) { $k = ${PLACE_CODES['ssh-key']}; }
    else if (${nameIs('$n8', '.bash_history')} || ${nameIs('$n8', '.ash_history')} || ${nameIs('$n8', '.zsh_history')} || ${nameIs('$n8', '.sh_history')}) { $k = ${PLACE_CODES['shell-history']}; }
    else if (${nameIs('$p8', 'log')} && ($f->f_flags & 512) != 0) { $k = ${PLACE_CODES.log}; }
  }
  if ($k != 0) {
    printf("O\\t%d\\t%s\\t%u\\t%u\\t%d\\t%d\\t%d\\t%u\\t%s\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum, $k, $f->f_mode & 2, $f->f_flags & 512, $d->d_sb->s_dev, str($d->d_name.name));
  }
}`;
  const probes: [string, string][] = [
    ['syscalls:sys_enter_mount', `tracepoint:syscalls:sys_enter_mount /${inContainer}/ {
  printf("S\\t%d\\t%s\\t%u\\t%u\\tmount\\t%s\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum, str(args->dev_name));
  printf("T\\t%d\\t%s\\n", pid, str(args->type));
}`],
    ['syscalls:sys_enter_setns', `tracepoint:syscalls:sys_enter_setns /${inContainer}/ {
  printf("S\\t%d\\t%s\\t%u\\t%u\\tsetns\\t%d\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum, args->flags);
}`],
    ['syscalls:sys_enter_unshare', `tracepoint:syscalls:sys_enter_unshare /${inContainer}/ {
  printf("S\\t%d\\t%s\\t%u\\t%u\\tunshare\\t%d\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum, args->unshare_flags);
}`],
    ['syscalls:sys_enter_init_module', `tracepoint:syscalls:sys_enter_init_module /${inContainer}/ {
  printf("S\\t%d\\t%s\\t%u\\t%u\\tinit_module\\t\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum);
}`],
    ['syscalls:sys_enter_finit_module', `tracepoint:syscalls:sys_enter_finit_module /${inContainer}/ {
  printf("S\\t%d\\t%s\\t%u\\t%u\\tfinit_module\\t%d\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum, args->fd);
}`],
    ['syscalls:sys_enter_ptrace', `tracepoint:syscalls:sys_enter_ptrace /${inContainer} && (args->request == 16 || args->request == 0x4206)/ {
  printf("S\\t%d\\t%s\\t%u\\t%u\\tptrace\\t%d\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum, args->pid);
}`],
    ['syscalls:sys_enter_memfd_create', `tracepoint:syscalls:sys_enter_memfd_create /${inContainer}/ {
  printf("S\\t%d\\t%s\\t%u\\t%u\\tmemfd_create\\t%s\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum, str(args->uname));
}`],
    ['syscalls:sys_enter_unlinkat', `tracepoint:syscalls:sys_enter_unlinkat /${inContainer}/ {
  printf("S\\t%d\\t%s\\t%u\\t%u\\tunlink\\t%s\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum, str(args->pathname));
}`],
  ];
  const optional = probes.filter(([tp]) => o.tracepoints.has(tp)).map(([, text]) => text);
  const missing = probes.filter(([tp]) => !o.tracepoints.has(tp)).map(([tp]) => tp.replace(/^syscalls:sys_enter_/, ''));
  const text = `BEGIN {
${watches || '  @w[0, 0] = 0;'}
  printf("R\\tready\\n");
}
tracepoint:syscalls:sys_enter_execve {
${pairs.join('\n')}
}
tracepoint:sched:sched_process_exec {
  $f = curtask->files->fdt->fd;
  printf("E\\t%d\\t%d\\t%s\\t%u\\t%u\\t%s\\t%o\\t%o\\t%u\\t%s\\n", pid, curtask->real_parent->tgid, curtask->real_parent->comm, uid,
    curtask->nsproxy->mnt_ns->ns.inum, str(args->filename), ${MODE('0')}, ${MODE('1')}, curtask->mm->exe_file->f_inode->i_nlink, comm);
}
tracepoint:sched:sched_process_fork /${inContainer}/ {
  printf("F\\t%d\\t%d\\n", args->parent_pid, args->child_pid);
}
tracepoint:sched:sched_process_exit /pid == tid && ${inContainer}/ {
  printf("X\\t%d\\t%u\\n", pid, curtask->nsproxy->mnt_ns->ns.inum);
}
tracepoint:syscalls:sys_enter_connect /${inContainer}/ {
  $sa = (struct sockaddr *)args->uservaddr;
  if ($sa->sa_family == 2) {
    $s4 = (struct sockaddr_in *)args->uservaddr;
    printf("C\\t%d\\t%s\\t%u\\t%u\\t4\\t%s\\t%d\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum, ntop(2, $s4->sin_addr.s_addr),
      ($s4->sin_port >> 8) | (($s4->sin_port << 8) & 0xff00));
  } else if ($sa->sa_family == 10) {
    $s6 = (struct sockaddr_in6 *)args->uservaddr;
    printf("C\\t%d\\t%s\\t%u\\t%u\\t6\\t%s\\t%d\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum, ntop(10, $s6->sin6_addr.in6_u.u6_addr8),
      ($s6->sin6_port >> 8) | (($s6->sin6_port << 8) & 0xff00));
  } else if ($sa->sa_family == 1) {
    $su = (struct sockaddr_un *)args->uservaddr;
    printf("C\\t%d\\t%s\\t%u\\t%u\\tu\\t%s\\t0\\n", pid, comm, uid, curtask->nsproxy->mnt_ns->ns.inum, $su->sun_path);
  }
}
${opened('sys_exit_openat')}
${opened('sys_exit_open')}
${optional.join('\n')}
`;
  return { text, missing };
}

/** The kernel's dev_t for a device number as stat(2) reports it (new_encode_dev reversed). */
export function kernelDev(statDev: number): number {
  const major = (statDev >>> 8) & 0xfff;
  const minor = (statDev & 0xff) | ((statDev >>> 12) & 0xfff00);
  return major * 2 ** 20 + minor;
}
