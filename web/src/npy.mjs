// NumPy .npy (format 1.0) writer: float32 '<f4', uint8 '|u1', int32 '<i4', C order.
const DESCR = new Map([[Float32Array, '<f4'], [Uint8Array, '|u1'], [Int32Array, '<i4']]);

/** Encode a typed array with the given shape as .npy bytes. */
export function encodeNpy(array, shape) {
  const descr = DESCR.get(array.constructor);
  if (!descr) throw new TypeError(`npy: unsupported array type ${array.constructor.name}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== array.length) throw new RangeError(`npy: shape [${shape}] does not match ${array.length} elements`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + array.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), 10 + header.length);
  return out;
}

/** Parse .npy bytes (v1/v2, little-endian, C order) into { data, shape }. */
export function decodeNpy(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8[0] !== 0x93 || String.fromCharCode(...u8.subarray(1, 6)) !== 'NUMPY') throw new Error('npy: bad magic');
  const v1 = u8[6] === 1;
  const hlen = v1 ? u8[8] | (u8[9] << 8) : u8[8] | (u8[9] << 8) | (u8[10] << 16) | (u8[11] << 24);
  const start = v1 ? 10 : 12;
  const header = new TextDecoder().decode(u8.subarray(start, start + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  // Uint8Array.prototype.slice copies (Buffer#slice would alias the pooled/whole-file ArrayBuffer).
  const body = Uint8Array.prototype.slice.call(u8, start + hlen);
  const Ctor = { '<f4': Float32Array, '|u1': Uint8Array, '<i4': Int32Array, '<f8': Float64Array }[descr];
  if (!Ctor) throw new Error(`npy: unsupported dtype ${descr}`);
  return { data: new Ctor(body.buffer, 0, body.byteLength / Ctor.BYTES_PER_ELEMENT), shape };
}
