// Reads what the project needs from an .onnx file without a protobuf library: metadata_props (ModelProto field 14)
// and the graph's input/output names (GraphProto fields 11/12, ValueInfoProto.name). Large initializers are skipped
// by length, so this is cheap even for an 80 MB model.

function* fields(u8, start = 0, end = u8.length) {
  let pos = start;
  const varint = () => {
    let result = 0, shift = 0, byte;
    do {
      if (pos >= end) throw new Error('onnx: truncated varint');
      byte = u8[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  while (pos < end) {
    const key = varint();
    const field = Math.floor(key / 8), wire = key % 8;
    if (wire === 0) yield { field, value: varint() };
    else if (wire === 1) { pos += 8; }
    else if (wire === 5) { pos += 4; }
    else if (wire === 2) {
      const len = varint();
      if (pos + len > end) throw new Error('onnx: truncated field');
      yield { field, start: pos, end: pos + len };
      pos += len;
    } else throw new Error(`onnx: unsupported wire type ${wire}`);
  }
}

const text = (u8, f) => new TextDecoder().decode(u8.subarray(f.start, f.end));

function valueInfoName(u8, f) {
  for (const g of fields(u8, f.start, f.end)) if (g.field === 1 && g.start !== undefined) return text(u8, g);
  return '';
}

/** Parse { metadata: {key: value}, inputs: [names], outputs: [names] } from ONNX bytes; throws on non-ONNX data. */
export function readOnnxInfo(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const metadata = {}, inputs = [], outputs = [];
  let sawGraph = false;
  for (const f of fields(u8)) {
    if (f.field === 14 && f.start !== undefined) {
      let key = '', value = '';
      for (const g of fields(u8, f.start, f.end)) {
        if (g.field === 1) key = text(u8, g);
        if (g.field === 2) value = text(u8, g);
      }
      metadata[key] = value;
    } else if (f.field === 7 && f.start !== undefined) {
      sawGraph = true;
      for (const g of fields(u8, f.start, f.end)) {
        if (g.field === 11 && g.start !== undefined) inputs.push(valueInfoName(u8, g));
        if (g.field === 12 && g.start !== undefined) outputs.push(valueInfoName(u8, g));
      }
    }
  }
  if (!sawGraph) throw new Error('not an ONNX model (no graph)');
  return { metadata, inputs, outputs };
}
