// Passing arrays into the core: copy them into a FloatBuffer / ByteBuffer in wasm memory for the duration of one
// call, and always free the buffer (Embind objects are not garbage-collected).
function withBuffer(Buffer, values, fn) {
  const buf = new Buffer();
  try {
    buf.resize(values.length);
    buf.view().set(values);
    return fn(buf);
  } finally {
    buf.delete();
  }
}

/** fn(FloatBuffer holding `values`) */
export const withFloats = (core, values, fn) => withBuffer(core.FloatBuffer, values, fn);
/** fn(ByteBuffer holding `bytes`) */
export const withBytes = (core, bytes, fn) => withBuffer(core.ByteBuffer, bytes, fn);
