// Which runtime this is, decided in one place. Deno 2 implements Node's APIs (node:fs, process), so code that only
// needs those asks `hasNodeApis`; code that needs Node itself (ONNX Runtime's Node build) asks `isNode`.
export const hasNodeApis = typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';
export const isNode = hasNodeApis && typeof globalThis.Deno === 'undefined';
