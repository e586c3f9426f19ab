'use strict';
// azcred's logger: it WRITES the log records the core decided on, never decides what to log.
//
// When the application has `@azure/logger` (every Azure SDK client brings it), azcred logs
// through the application's copy, `createClientLogger('identity')` exactly as @azure/identity
// does, so `setLogLevel()`, `AzureLogger.log = ...` and `DEBUG=azure*` behave as with the
// reference. Otherwise a built-in logger with the same observable behaviour is used: a port
// of @typespec/ts-http-runtime's debug and logger context (AZURE_LOG_LEVEL, DEBUG patterns,
// `azure:identity:<level> <message>` lines on stderr). azcred keeps zero runtime dependencies.
//
// API:
//   logger          the `AzureLogger`-shaped client logger { error, warning, info, verbose }
//   write(record)   record = { level, message }; also write(level, message). Writes the
//                   already formatted message through logger[level] when that level is
//                   enabled; never throws; an unknown level is ignored. The message goes as
//                   ONE argument (the reference often passes `Title =>` and the rest as two):
//                   the printed line is identical, `%` in a message is left as written, and a
//                   replaced AzureLogger.log sees one string where util.format(...args) agrees.
//   enabledLevel()  'verbose' | 'info' | 'warning' | 'error' (the most verbose enabled level),
//                   or undefined when nothing is enabled. Four property reads.
//   source()        'azure-logger' | 'azure-logger-esm' | 'built-in': where records go. The
//                   app's @azure/logger is taken up once the app has loaded it (see adopt()).
//   useEsm()        for the ESM entry: write through the ESM build of the app's @azure/logger
//                   (the instance an ESM app's `import { setLogLevel } from '@azure/logger'`
//                   gets; its CommonJS build is a separate instance). Resolves to `logger`.
//                   `logger` is a getter: re-export it as one to see the switch.

const LEVELS = ['verbose', 'info', 'warning', 'error'];

/** Finds @azure/logger: next to azcred, else from the application's directory, else from the
 * current directory. Returns { path, base } or null. Looked for once, at load; only resolved,
 * not loaded (see `adopt`). */
function findAzureLogger() {
  const path = require('node:path');
  const bases = [null, require.main && path.dirname(require.main.filename), process.cwd()];
  for (const base of bases) {
    try {
      const resolved = base ? require.resolve('@azure/logger', { paths: [base] }) : require.resolve('@azure/logger');
      return { path: resolved, base };
    } catch {
      // Not installed there.
    }
  }
  return null;
}

/** debug.js's namespaceMatches, verbatim in effect (a '*' glob whose backtracking stops once
 * the pattern is used up: 'azure:*e' does not match 'azure:identity:verbose'). */
function matches(namespace, patternToMatch) {
  if (!patternToMatch.includes('*')) return namespace === patternToMatch;
  const pattern = patternToMatch.replace(/\*\*+/g, '*');
  let n = 0;
  let p = 0;
  let lastWildcard = -1;
  let lastWildcardNamespace = -1;
  // After a '*' (p just past it): skip to the next occurrence of pattern[p] in the namespace.
  const skipTo = () => {
    while (namespace[n] !== pattern[p]) if (++n === namespace.length) return false;
    lastWildcardNamespace = n++;
    p++;
    return true;
  };
  while (n < namespace.length && p < pattern.length) {
    if (pattern[p] === '*') {
      lastWildcard = p++;
      if (p === pattern.length) return true;
      if (!skipTo()) return false;
    } else if (pattern[p] === namespace[n]) {
      p++;
      n++;
    } else if (lastWildcard >= 0) {
      p = lastWildcard + 1;
      n = lastWildcardNamespace + 1;
      if (n === namespace.length || !skipTo()) return false;
    } else {
      return false;
    }
  }
  const trailingWildcard = p === pattern.length - 1 && pattern[p] === '*';
  return n === namespace.length && (p === pattern.length || trailingWildcard);
}

/** The built-in logger: @typespec/ts-http-runtime's debug.js and logger.js, trimmed. */
function builtInClientLogger(namespace) {
  const util = require('node:util');
  const { EOL } = require('node:os');
  const stderrLog = (message, ...args) => {
    process.stderr.write(`${util.format(message, ...args)}${EOL}`);
  };

  // debug.js: DEBUG patterns split on ',', '*' wildcards, '-' exclusions.
  let enabledString;
  let enabledPatterns = [];
  let skippedPatterns = [];
  const debuggers = [];
  const enabled = (ns) =>
    ns.endsWith('*') ||
    (!skippedPatterns.some((p) => matches(ns, p)) && enabledPatterns.some((p) => matches(ns, p)));
  function enable(namespaces) {
    enabledString = namespaces;
    enabledPatterns = [];
    skippedPatterns = [];
    for (const ns of namespaces.split(',').map((s) => s.trim())) {
      if (ns.startsWith('-')) skippedPatterns.push(ns.substring(1));
      else enabledPatterns.push(ns);
    }
    for (const d of debuggers) d.enabled = enabled(d.namespace);
  }
  function disable() {
    const result = enabledString || '';
    enable('');
    return result;
  }
  function createDebugger(ns) {
    const newDebugger = Object.assign(debug, { enabled: enabled(ns), destroy, log: stderrLog, namespace: ns, extend });
    function debug(...args) {
      if (!newDebugger.enabled) return;
      if (args.length > 0) args[0] = `${ns} ${args[0]}`;
      newDebugger.log(...args);
    }
    debuggers.push(newDebugger);
    return newDebugger;
  }
  function destroy() {
    const index = debuggers.indexOf(this);
    if (index < 0) return false;
    debuggers.splice(index, 1);
    return true;
  }
  function extend(ns) {
    const newDebugger = createDebugger(`${this.namespace}:${ns}`);
    newDebugger.log = this.log;
    return newDebugger;
  }
  if (process.env.DEBUG) enable(process.env.DEBUG);

  // logger.js: createLoggerContext({ logLevelEnvVarName: 'AZURE_LOG_LEVEL', namespace: 'azure' }).
  const levelMap = { verbose: 400, info: 300, warning: 200, error: 100 };
  const registered = new Set();
  let logLevel;
  const shouldEnable = (l) => Boolean(logLevel && levelMap[l.level] <= levelMap[logLevel]);
  const patchLogMethod = (parent, child) => {
    child.log = (...args) => parent.log(...args);
  };
  const root = createDebugger('azure');
  root.log = (...args) => stderrLog(...args);
  const fromEnv = process.env.AZURE_LOG_LEVEL;
  if (fromEnv) {
    if (LEVELS.includes(fromEnv)) {
      logLevel = fromEnv;
      enable([...registered].filter(shouldEnable).map((l) => l.namespace).join(','));
    } else {
      console.error(
        `AZURE_LOG_LEVEL set to unknown log level '${fromEnv}'; logging is not enabled. ` +
          `Acceptable values: ${LEVELS.join(', ')}.`,
      );
    }
  }
  const clientRoot = root.extend(namespace);
  patchLogMethod(root, clientRoot);
  const createLogger = (level) => {
    const l = Object.assign(clientRoot.extend(level), { level });
    patchLogMethod(clientRoot, l);
    if (shouldEnable(l)) enable(`${disable()},${l.namespace}`);
    registered.add(l);
    return l;
  };
  return {
    error: createLogger('error'),
    warning: createLogger('warning'),
    info: createLogger('info'),
    verbose: createLogger('verbose'),
  };
}

const found = findAzureLogger();
let current;
let currentSource;
// The app's @azure/logger is used once the app has loaded it: an app that calls setLogLevel or
// replaces AzureLogger.log has, and so has one with any Azure SDK client. azcred does not load
// it itself (about 8 ms and 2 MB for an app that has not), and until the app does, the built-in
// logger writes the same lines from AZURE_LOG_LEVEL and DEBUG.
let pending = found;

/** Switches to the app's @azure/logger if the app has loaded it by now; cheap until then. */
function adopt() {
  if (!pending) return;
  const cached = require.cache[pending.path];
  if (!cached || !cached.loaded) return;
  pending = null;
  try {
    const l = cached.exports.createClientLogger('identity');
    if (l && typeof l.info === 'function') {
      current = l;
      currentSource = 'azure-logger';
    }
  } catch {
    // An odd @azure/logger: keep the built-in logger.
  }
}

adopt();
if (!current) currentSource = 'built-in';
// The built-in logger enables a level only from AZURE_LOG_LEVEL or DEBUG, read once, as
// @azure/logger reads them: without either it would never write a line, so it is built when
// first handed out (`logger`) rather than at load.
const envEnables = Boolean(process.env.AZURE_LOG_LEVEL || process.env.DEBUG);

/** The logger records go to: the adopted one, else the built-in one (built now if need be). */
function active() {
  if (!current) current = builtInClientLogger('identity');
  return current;
}

/** Writes one record ({ level, message }, or (level, message)) when its level is enabled. */
function write(record, message) {
  adopt();
  try {
    let level = record;
    if (record !== null && typeof record === 'object') {
      level = record.level;
      message = record.message;
    }
    if (!LEVELS.includes(level)) return;
    if (!current && !envEnables) return;
    const debuggerFn = active()[level];
    if (debuggerFn && debuggerFn.enabled) debuggerFn(String(message));
  } catch {
    // Logging never breaks a token acquisition (a throwing AzureLogger.log, say).
  }
}

/** The most verbose level enabled now, or undefined: the core skips records nobody writes. */
function enabledLevel() {
  adopt();
  if (!current && !envEnables) return undefined;
  try {
    const l = active();
    if (l.verbose.enabled) return 'verbose';
    if (l.info.enabled) return 'info';
    if (l.warning.enabled) return 'warning';
    if (l.error.enabled) return 'error';
  } catch {
    // A logger with an odd shape logs nothing.
  }
  return undefined;
}

let esmSwitch;
/** Switches to the ESM build of the app's @azure/logger, once; without it, nothing changes. */
function useEsm() {
  if (!esmSwitch) {
    esmSwitch = (async () => {
      if (!found) return active();
      const path = require('node:path');
      const fs = require('node:fs');
      const { pathToFileURL } = require('node:url');
      const pkgPath = found.base
        ? require.resolve('@azure/logger/package.json', { paths: [found.base] })
        : require.resolve('@azure/logger/package.json');
      const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
      let target = pkg.exports && pkg.exports['.'];
      while (target && typeof target === 'object') target = target.import || target.node || target.default;
      if (typeof target !== 'string') return active(); // CommonJS only: one instance already.
      const mod = await import(pathToFileURL(path.join(path.dirname(pkgPath), target)).href);
      const esmLogger = mod.createClientLogger('identity');
      if (esmLogger && typeof esmLogger.info === 'function') {
        current = esmLogger;
        currentSource = 'azure-logger-esm';
        pending = null;
      }
      return active();
    })().catch(() => active());
  }
  return esmSwitch;
}

module.exports = {
  get logger() {
    adopt();
    return active();
  },
  write,
  enabledLevel,
  source: () => {
    adopt();
    return currentSource;
  },
  useEsm,
};
