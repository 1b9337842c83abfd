// Each node's effective kubelet configuration, read through the API server's node proxy
// (`/api/v1/nodes/NAME/proxy/configz`). It enters the inventory as a KubeletConfiguration object,
// the same kind as a kubelet config file, so one set of rules covers both.

import type { CoverageGap } from '../../core/finding.js';
import { asObject, type JsonObject } from '../../core/json.js';
import type { KubeObject } from '../../inventory/objects.js';
import { toKubeObject } from '../../inventory/objects.js';
import type { ClusterConnection } from './connection.js';

export const KUBELET_CONFIG_API_VERSION = 'kubelet.config.k8s.io/v1beta1';

export interface KubeletConfigs {
  objects: KubeObject[];
  coverage: CoverageGap[];
}

export async function collectKubeletConfigs(conn: ClusterConnection, nodes: readonly KubeObject[], concurrency: number, onRead?: (done: number) => void): Promise<KubeletConfigs> {
  const objects: KubeObject[] = [];
  const coverage: CoverageGap[] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < nodes.length) {
      const node = nodes[next++];
      const res = await conn.get(`/api/v1/nodes/${encodeURIComponent(node.name)}/proxy/configz`);
      onRead?.(++done);
      if (!res.ok) {
        const fix = res.status === 403 ? '; grant `get nodes/proxy` to read it' : '';
        coverage.push({ target: `node ${node.name} kubelet configz`, reason: `cannot read the kubelet configuration: ${res.reason}${fix}`, severity: 'warning' });
        continue;
      }
      const config = asObject(asObject(res.body)?.kubeletconfig);
      if (config === undefined) {
        coverage.push({ target: `node ${node.name} kubelet configz`, reason: 'the answer has no kubeletconfig', severity: 'warning' });
        continue;
      }
      const raw: JsonObject = { ...config, apiVersion: KUBELET_CONFIG_API_VERSION, kind: 'KubeletConfiguration', metadata: { name: node.name } };
      const object = toKubeObject(raw, { type: 'cluster', context: conn.context });
      if (object) objects.push(object);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, nodes.length) }, worker));
  return { objects, coverage };
}
