'use strict';
// The web build's `logger`: shaped like @azure/logger's client logger for `azure:identity`
// (`info`, `warning`, `error`, `verbose`, each a function with `enabled`), writing to the
// console. Off unless the app turns a level on with `logger.level = 'info'` (the web build has
// no AZURE_LOG_LEVEL or DEBUG to read); the credentials of the web build log nothing yet.

const LEVELS = ['error', 'warning', 'info', 'verbose'];
const WRITERS = { error: 'error', warning: 'warn', info: 'info', verbose: 'debug' };

function makeLogger() {
  const logger = { namespace: 'azure:identity', level: undefined };
  for (const level of LEVELS) {
    const write = (...args) => {
      if (!write.enabled) return;
      console[WRITERS[level]](`azure:identity:${level}`, ...args);
    };
    Object.defineProperty(write, 'enabled', {
      get: () => logger.level !== undefined && LEVELS.indexOf(level) <= LEVELS.indexOf(logger.level),
    });
    write.namespace = `azure:identity:${level}`;
    logger[level] = write;
  }
  return logger;
}

module.exports = { logger: makeLogger() };
