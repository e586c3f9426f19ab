// Instantiates the web build's wasm module from a compiled WebAssembly.Module with the bundler
// glue's imports, as wasm-bindgen's bundler output does it (for runtimes that cannot import a
// .wasm file as an ES module: workerd hands over the module, browsers compile the bytes).
import * as glue from './azcred_web_bg.js';

export function instantiate(module) {
  const instance = new WebAssembly.Instance(module, { './azcred_web_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  if (typeof instance.exports.__wbindgen_start === 'function') instance.exports.__wbindgen_start();
  return glue;
}
