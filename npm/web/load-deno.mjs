// Deno: wasm-bindgen's bundler glue as it is; Deno imports its .wasm file as an ES module, which
// needs no --allow-read.
import * as glue from './azcred_web.js';

export default { module: glue, runtime: 'Deno' };
