// Embedding in any runtime: the probe signal through the C++ front-end, ONNX Runtime Web and C++ pooling.
import { loadCore } from '../../web/src/core.mjs';
import { Embedder } from '../../web/src/embedder.mjs';
import { resolveModel } from '../../web/src/model-registry.mjs';
import { probeSignal } from './probe.mjs';

export async function embedProbe(modelUrlOrPath) {
  const core = await loadCore();
  const embedder = await Embedder.create(core, await resolveModel(modelUrlOrPath));
  try {
    const { embedding } = await embedder.embed(probeSignal());
    return Array.from(embedding);
  } finally {
    await embedder.dispose();
  }
}
