// Building blocks for the runtime rules' example events, shaped as the lab's sensor prints them
// (containerd 1.6, runc, busybox images): the same parent names, mount namespaces and paths.

import type { ConnectEvent, ContainerRef, ExecEvent, OpenEvent, ProcessEvent, SyscallEvent } from '../../../sources/runtime/event.js';

export const APP: ContainerRef = { id: 'a'.repeat(64), name: 'app', pod: 'app', namespace: 'lab-apps', podUID: '0b6c3f1e-5d1a-4a57-9b61-3c2f0e7d9a11', image: 'kubemoat.local/lab/busybox:latest', node: 'kubemoat-insecure' };
export const WEB: ContainerRef = { id: 'b'.repeat(64), name: 'nginx', pod: 'web-7d9f-abcde', namespace: 'shop', podUID: '5e2b1c9a-3f0d-4c8e-8a7b-1d2e3f4a5b6c', image: 'docker.io/library/nginx:1.27', node: 'kubemoat-insecure' };
export const PRIVILEGED: ContainerRef = { id: 'c'.repeat(64), name: 'shell', pod: 'privileged', namespace: 'lab-apps', podUID: '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d', image: 'kubemoat.local/lab/busybox:latest', node: 'kubemoat-insecure' };

const MNT: Record<string, number> = { [APP.id]: 4026532386, [WEB.id]: 4026532401, [PRIVILEGED.id]: 4026532455 };
const T0 = Date.parse('2026-12-07T09:00:00Z');

/** The container's first process (its entrypoint), reparented to the shim before it execs. */
export const INIT: Record<string, number> = { [APP.id]: 28100, [WEB.id]: 30100, [PRIVILEGED.id]: 31100 };

export function exec(c: ContainerRef | undefined, argv: string[], o: Partial<ExecEvent> = {}): ExecEvent {
  return {
    kind: 'exec',
    time: T0 + (o.time ?? 0),
    pid: o.pid ?? 28154,
    ppid: o.ppid ?? 28144,
    parentComm: o.parentComm ?? 'runc',
    comm: o.comm ?? (argv[0] ?? '').split('/').pop()!.slice(0, 15),
    uid: o.uid ?? 0,
    mntns: c ? MNT[c.id] : 4026531832,
    binary: o.binary ?? (argv[0]?.startsWith('/') ? argv[0] : `/bin/${argv[0]}`),
    argv,
    stdin: o.stdin ?? 'pipe',
    stdout: o.stdout ?? 'pipe',
    fileless: o.fileless ?? false,
    ...(o.upperLayer !== undefined ? { upperLayer: o.upperLayer } : {}),
    ...(o.containerInit !== undefined ? { containerInit: o.containerInit } : {}),
    ...(c ? { container: c } : {}),
  };
}

/** The container's own entrypoint: started by the shim, not from outside. */
export function entrypoint(c: ContainerRef, argv: string[], o: Partial<ExecEvent> = {}): ExecEvent {
  return exec(c, argv, { pid: INIT[c.id], ppid: 27000, parentComm: 'containerd-shim', containerInit: true, ...o });
}

/** A process the entrypoint started (its parent is the entrypoint). */
export function child(c: ContainerRef, argv: string[], o: Partial<ExecEvent> = {}): ExecEvent {
  return exec(c, argv, { ppid: INIT[c.id], parentComm: 'sh', pid: INIT[c.id] + 7, ...o });
}

export function running(c: ContainerRef, argv: string[], o: Partial<ProcessEvent> = {}): ProcessEvent {
  return {
    kind: 'process',
    time: T0 + (o.time ?? 0),
    pid: o.pid ?? INIT[c.id] + 3,
    ppid: o.ppid ?? INIT[c.id],
    comm: o.comm ?? (argv[0] ?? '').split('/').pop()!.slice(0, 15),
    uid: o.uid ?? 0,
    mntns: MNT[c.id],
    binary: o.binary ?? (argv[0]?.startsWith('/') ? argv[0] : `/bin/${argv[0]}`),
    argv,
    stdin: o.stdin ?? 'none',
    stdout: o.stdout ?? 'pipe',
    fileless: o.fileless ?? false,
    container: c,
  };
}

export function connect(c: ContainerRef, address: string, port: number, o: Partial<ConnectEvent> = {}): ConnectEvent {
  return { kind: 'connect', time: T0 + (o.time ?? 0), pid: o.pid ?? 28154, comm: o.comm ?? 'nc', uid: o.uid ?? 0, mntns: MNT[c.id], family: o.family ?? (address.includes(':') ? 'inet6' : 'inet'), address, port, container: c };
}

export function open(c: ContainerRef, place: OpenEvent['place'], path: string, o: Partial<OpenEvent> = {}): OpenEvent {
  return { kind: 'open', time: T0 + (o.time ?? 0), pid: o.pid ?? 28154, comm: o.comm ?? 'sh', uid: o.uid ?? 0, mntns: MNT[c.id], place, path, write: o.write ?? false, truncate: o.truncate ?? false, device: o.device ?? 41, container: c };
}

export function syscall(c: ContainerRef, call: SyscallEvent['call'], detail: string, o: Partial<SyscallEvent> = {}): SyscallEvent {
  return { kind: 'syscall', time: T0 + (o.time ?? 0), pid: o.pid ?? 28154, comm: o.comm ?? 'sh', uid: o.uid ?? 0, mntns: MNT[c.id], call, detail, container: c };
}
