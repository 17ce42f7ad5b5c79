// Runs an exported .onnx with onnxruntime-node (native) on inputs written by models/export.py and prints the
// largest |onnx - torch| difference as JSON. Used at export time, because Debian has no onnxruntime for Python.
//   node models/onnx_check.mjs MODEL.onnx INPUT_NAME case1_in.npy case1_out.npy [case2_in.npy case2_out.npy ...]
import { readFileSync } from 'node:fs';
import { decodeNpy } from '../web/src/npy.mjs';

const [model, inputName, ...cases] = process.argv.slice(2);
const ort = (await import('onnxruntime-node')).default;
const session = await ort.InferenceSession.create(readFileSync(model));
let worst = 0;
for (let i = 0; i < cases.length; i += 2) {
  const x = decodeNpy(readFileSync(cases[i]));
  const want = decodeNpy(readFileSync(cases[i + 1])).data;
  const out = await session.run({ [inputName]: new ort.Tensor('float32', x.data, x.shape) });
  const got = out[session.outputNames[0]].data;
  if (got.length !== want.length) throw new Error(`output has ${got.length} values, expected ${want.length}`);
  for (let k = 0; k < got.length; k++) worst = Math.max(worst, Math.abs(got[k] - want[k]));
}
console.log(JSON.stringify({ maxAbsDiff: worst }));
