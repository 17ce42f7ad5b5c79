// The model used when the CLI is given no --model: the manifest entry marked "default" (the embedded model).
import { InvalidArgumentError } from '../src/errors.mjs';
import { loadManifest } from '../src/model-registry.mjs';

export async function modelArgument(model) {
  if (model) return model;
  const entry = (await loadManifest()).models.find((m) => m.default);
  if (!entry) throw new InvalidArgumentError('no default model in models/manifest.json yet: pass --model M');
  return entry.id;
}
