// One image: resolve it, analyse each layer once (through the shared cache), apply the layers in
// order, and say what could not be read. Layers whose digest does not match are rejected.

import { analyseLayer, DEFAULT_LIMITS, LayerCache, type LayerAnalysis, type LayerLimits } from './image/layer.js';
import { mergeLayers, type ImageContents } from './image/contents.js';
import type { ResolvedImage } from './image/manifest.js';
import { mapBounded } from '../core/concurrency.js';

export interface ScannedImage {
  image: ResolvedImage;
  contents: ImageContents;
  /** layers that could not be read or were rejected; the contents are then partial */
  errors: string[];
}

export interface ScanImageOptions {
  cache: LayerCache;
  limits?: LayerLimits;
  /** layers read at once within one image */
  layerConcurrency?: number;
}

export async function scanResolvedImage(image: ResolvedImage, options: ScanImageOptions): Promise<ScannedImage> {
  const errors: string[] = [];
  const limits = options.limits ?? DEFAULT_LIMITS;
  const analysed = await mapBounded(image.layers, options.layerConcurrency ?? 2, async (layer): Promise<LayerAnalysis | undefined> => {
    try {
      return await options.cache.get(layer.digest, async () => analyseLayer(layer.digest, await layer.open(), layer.verify, limits));
    } catch (e) {
      errors.push(`layer ${layer.digest}: ${(e as Error).message}`);
      return undefined;
    }
  });
  const contents = mergeLayers(analysed.filter((a): a is LayerAnalysis => a !== undefined));
  return { image, contents, errors };
}
