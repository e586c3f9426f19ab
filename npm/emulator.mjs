// ESM entry of `azcred/emulator`: the same objects as the CommonJS entry.
import emulator from './emulator.js';

export const { start, startEmulator, EMULATOR_DEFAULTS, PROTOCOLS } = emulator;

export default emulator;
