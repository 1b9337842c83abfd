// The runtime catalogue, in id order.

import type { RuntimeRule } from '../rule.js';
import execFromOutside from './exec-from-outside.js';
import interactiveShell from './interactive-shell.js';
import reverseShell from './reverse-shell.js';
import cryptoMiner from './crypto-miner.js';
import metadataEndpoint from './metadata-endpoint.js';
import nodeDoors from './node-doors.js';
import networkScan from './network-scan.js';
import networkTool from './network-tool.js';
import drift from './drift.js';
import escape from './escape.js';
import nodeFiles from './node-files.js';
import runtimeSocket from './runtime-socket.js';
import credentialRead from './credential-read.js';
import antiForensics from './anti-forensics.js';
import ptrace from './ptrace.js';
import newProgram from './new-program.js';
import newDestination from './new-destination.js';

export const runtimeRules: readonly RuntimeRule[] = [execFromOutside, interactiveShell, reverseShell, cryptoMiner, metadataEndpoint, nodeDoors, networkScan, networkTool, drift, escape, nodeFiles, runtimeSocket, credentialRead, antiForensics, ptrace, newProgram, newDestination];

export function findRuntimeRule(id: string): RuntimeRule | undefined {
  return runtimeRules.find((r) => r.meta.id === id);
}
