'use strict';
// `azcred/emulator`: the local managed-identity emulator as a programmatic API for an app's own
// tests. See emulator.d.ts for the documented surface; lib/emulator.js is the implementation and
// is not part of the public API.

const { start, startEmulator, EMULATOR_DEFAULTS, PROTOCOLS } = require('./lib/emulator');

module.exports = { start, startEmulator, EMULATOR_DEFAULTS, PROTOCOLS };
