// Run rules on YAML text through the real pipeline (parse → inventory → engine), as a test would want.

import { EMPTY_CONFIG, type KubemoatConfig } from '../../src/core/config.js';
import { analyse } from '../../src/core/pipeline.js';
import type { Report } from '../../src/core/report.js';
import type { Rule } from '../../src/core/rule.js';
import { addText, type ManifestLoad } from '../../src/sources/manifests/source.js';
import { Inventory } from '../../src/inventory/inventory.js';

export function loadText(text: string, file = 'example.yaml'): ManifestLoad {
  const load: ManifestLoad = { inventory: new Inventory(), coverage: [], stats: { files: 0, documents: 0, objects: 0, skipped: 0 }, incomplete: false };
  addText(load, file, text);
  return load;
}

export function scanText(text: string, rules: readonly Rule[], config: KubemoatConfig = EMPTY_CONFIG, file = 'example.yaml'): Report {
  const load = loadText(text, file);
  return analyse(load.inventory, { type: 'manifests', paths: [file] }, load.coverage, new Date(0), {
    rules,
    config,
    minimumSeverity: 'info',
    today: '2026-11-23',
  });
}
