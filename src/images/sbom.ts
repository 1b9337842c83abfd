// CycloneDX 1.5 JSON for one scanned image: the image as the subject, its OS and every package
// with a package URL, the file it was found in and the layer that added it.

import { randomUUID } from 'node:crypto';
import { TOOL_NAME, TOOL_VERSION } from '../core/report.js';
import type { ScannedImage } from './scan.js';
import { purl } from './packages/types.js';

export function cycloneDx(scanned: ScannedImage, now = new Date()): object {
  const { image, contents } = scanned;
  const os = contents.os;
  const seen = new Set<string>();
  const components: object[] = [];
  if (os) components.push({ type: 'operating-system', 'bom-ref': `os:${os.id}@${os.versionId}`, name: os.id, version: os.versionId, ...(os.prettyName ? { description: os.prettyName } : {}) });
  for (const p of contents.packages) {
    const ref = purl(p, os);
    const bomRef = seen.has(ref) ? `${ref}#${p.path}` : ref;
    seen.add(ref);
    const properties = [
      { name: 'kubemoat:package:type', value: p.type },
      { name: 'kubemoat:package:path', value: p.path },
      ...(p.layer ? [{ name: 'kubemoat:layer:digest', value: p.layer }] : []),
      ...(p.source ? [{ name: 'kubemoat:package:source', value: `${p.source.name} ${p.source.version}` }] : []),
    ];
    components.push({
      type: 'library',
      'bom-ref': bomRef,
      name: p.name,
      version: p.version,
      purl: ref,
      ...(p.license ? { licenses: [{ expression: p.license }] } : {}),
      properties,
    });
  }
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: now.toISOString(),
      tools: { components: [{ type: 'application', name: TOOL_NAME, version: TOOL_VERSION }] },
      component: {
        type: 'container',
        'bom-ref': image.manifestDigest ?? image.configDigest,
        name: image.name,
        ...(image.manifestDigest ? { version: image.manifestDigest } : {}),
        properties: [{ name: 'kubemoat:image:config', value: image.configDigest }, ...(image.platform ? [{ name: 'kubemoat:image:platform', value: `${image.platform.os}/${image.platform.architecture}` }] : [])],
      },
    },
    components,
  };
}
