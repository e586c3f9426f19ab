// Browsers (and any other runtime): the wasm bytes are inlined, so loading needs no fetch, no
// file access and no bundler support for .wasm files.
import { bytes } from './azcred_web_bytes.mjs';
import { instantiate } from './instantiate.mjs';

const runtime = typeof globalThis.navigator === 'object' && globalThis.navigator.userAgent ? 'this browser' : 'this runtime';
export default { module: instantiate(new WebAssembly.Module(bytes)), runtime };
