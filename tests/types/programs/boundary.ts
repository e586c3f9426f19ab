// The binding boundary, written once in npm/lib/boundary.d.ts, against both bindings' generated
// declarations (npm/wasm/azcred_wasm.d.ts from wasm-bindgen, target/napi/azcred.d.ts from
// napi-rs): each binding's module is a `BindingModule`, and what it answers is the boundary's
// type, so the two cannot drift apart from each other or from the driver's expectations.
import type { Begin, BindingCredential, BindingFlow, BindingModule, Finish, Step } from '../../../npm/lib/boundary.js';
import type * as Wasm from '../../../npm/wasm/azcred_wasm.js';
import type * as Native from '../../../target/napi/azcred.js';

type WasmModule = typeof Wasm;
type NativeModule = typeof Native;

export const wasm = (m: WasmModule): BindingModule<Wasm.TokenStore> => m;
export const native = (m: NativeModule): BindingModule<Native.TokenStore> => m;

// The classes, instance by instance, both ways where it matters.
export const wasmCredential = (c: Wasm.Credential): BindingCredential => c;
export const nativeCredential = (c: Native.Credential): BindingCredential => c;
export const wasmFlow = (f: Wasm.Flow): BindingFlow => f;
export const nativeFlow = (f: Native.Flow): BindingFlow => f;

// The answers are exactly the boundary's types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const answers: [
  Same<ReturnType<Wasm.Credential['begin']>, Begin>,
  Same<ReturnType<Native.Credential['begin']>, Begin>,
  Same<ReturnType<Wasm.Flow['poll']>, Step>,
  Same<ReturnType<Native.Flow['poll']>, Step>,
  Same<ReturnType<Wasm.Credential['finish']>, Finish>,
  Same<ReturnType<Native.Credential['finish']>, Finish>,
] = [true, true, true, true, true, true];
