'use strict';
// The prefix of the line guard.js writes to stderr when it blocks a connection (its own module so
// the harness can read it without loading, and so applying, the guard).
module.exports = { MARK: 'azcred-bench guard: blocked' };
