'use strict';
// Performs the core's `loadCache` and `storeCache` actions through the persistence plugin
// registered with useIdentityPlugin (its MSAL ICachePlugin). It moves text only: what to store,
// when, and what the loaded text means are the core's. The plugin's persistence is the only
// thing that writes the file; no text is logged or kept anywhere but in this credential's
// closure (the last text the plugin deserialized, which MSAL's cache would hold too).

const { registry } = require('./plugins');

/** One store of one credential: the plugin the factory made for it, and an MSAL-shaped
 * `tokenCache` that hands the plugin the core's text and keeps the text the plugin loads. */
function openStore(store) {
  const factory = registry.persistence;
  let last = null;
  let outgoing = '';
  // Whether the plugin read the store again since `outgoing` was set (another process wrote
  // it meanwhile): then what is written is the core's merge of the two.
  let reread = false;
  const tokenCache = {
    serialize: () => (reread ? require('./backend').load().mergeCache(last, outgoing, Date.now()) : outgoing),
    deserialize: (text) => {
      last = typeof text === 'string' ? text : null;
      reread = true;
    },
  };
  const options = { enabled: true, name: store.name, unsafeAllowUnencryptedStorage: store.unsafeAllowUnencryptedStorage };
  const plugin = Promise.resolve().then(() => {
    if (typeof factory !== 'function') throw new Error('no persistence plugin is registered');
    return factory(options);
  });
  plugin.catch(() => {});
  return {
    plugin,
    tokenCache,
    lastLoaded: () => last,
    setOutgoing: (text) => {
      outgoing = text;
      reread = false;
    },
  };
}

function failed(kind, message) {
  return { type: 'failed', kind, message };
}

function why(e) {
  return String((e && e.message) || e);
}

/** Settles with `work`'s reply, or a failure at the action's deadline or on abort. A background
 * flow's timer does not keep the process alive. */
function bounded(work, action, signal, io) {
  return new Promise((resolve) => {
    const ms = Math.min(Math.max(0, action.deadline - Date.now()), 2 ** 31 - 1);
    const timer = setTimeout(() => finish(failed('timedOut', 'the persistence plugin did not answer in time')), ms);
    if (io && io.background) timer.unref();
    const onAbort = () => finish(failed('aborted', 'The operation was aborted.'));
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    function finish(reply) {
      clearTimeout(timer);
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve(reply);
    }
    work().then(finish, (e) => finish(failed('other', why(e))));
  });
}

/** Performs a `loadCache` or `storeCache` action for the credential whose stores are `stores`
 * (a Map the credential keeps). */
function perform(stores, action, signal, io) {
  let s = stores.get(action.store.name);
  if (!s) {
    s = openStore(action.store);
    stores.set(action.store.name, s);
  }
  const store = s;
  if (action.type === 'loadCache') {
    return bounded(
      async () => {
        const plugin = await store.plugin;
        const ctx = { cacheHasChanged: false, tokenCache: store.tokenCache };
        try {
          await plugin.beforeCacheAccess(ctx);
        } finally {
          await plugin.afterCacheAccess(ctx);
        }
        const contents = store.lastLoaded();
        return contents === null ? { type: 'cacheLoaded' } : { type: 'cacheLoaded', contents };
      },
      action,
      signal,
      io,
    );
  }
  return bounded(
    async () => {
      const plugin = await store.plugin;
      const ctx = { cacheHasChanged: true, tokenCache: store.tokenCache };
      // What is stored is the core's text, whatever the plugin deserializes on the way; the
      // after-call always runs, so the plugin's file lock is always released.
      store.setOutgoing(action.contents);
      try {
        await plugin.beforeCacheAccess(ctx);
      } finally {
        await plugin.afterCacheAccess(ctx);
        store.setOutgoing('');
      }
      return { type: 'cacheStored' };
    },
    action,
    signal,
    io,
  );
}

module.exports = { perform };
