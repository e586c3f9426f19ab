// workerd: the .wasm file is imported as a module (declared as a wasm module in the worker's
// config, or by wrangler), because workerd forbids compiling wasm from bytes at run time.
import wasmModule from './azcred_web_bg.wasm';
import { instantiate } from './instantiate.mjs';

export default { module: instantiate(wasmModule), runtime: 'workerd' };
