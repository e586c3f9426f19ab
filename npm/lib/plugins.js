'use strict';
// useIdentityPlugin: calls the plugin with @azure/identity 4.14.1's plugin context. Whether azcred
// takes what a plugin passes to a control is the core's answer (`pluginControl`); this file only
// keeps what was taken: the persistence factory of @azure/identity-cache-persistence, for the
// process, as the reference keeps it.

const backend = require('./backend');
const errors = require('./errors');

/** What the registered plugins gave: `persistence` is the factory
 * `(options) => Promise<ICachePlugin>`, or undefined. */
const registry = { persistence: undefined };

/** Asks the core whether azcred takes what a plugin passes to `control`; throws its error. */
function ask(control) {
  try {
    backend.load().pluginControl(control);
  } catch (e) {
    throw errors.fromBinding(e);
  }
}

/** @azure/identity's plugin context: the same entries and methods (and the one the published
 * @azure/identity-vscode calls). */
const context = {
  cachePluginControl: {
    setPersistence(persistenceFactory) {
      ask('cachePluginControl.setPersistence');
      registry.persistence = persistenceFactory;
    },
  },
  nativeBrokerPluginControl: {
    setNativeBroker() {
      ask('nativeBrokerPluginControl.setNativeBroker');
    },
  },
  vsCodeCredentialControl: {
    setVSCodeAuthRecordPath() {
      ask('vsCodeCredentialControl.setVSCodeAuthRecordPath');
    },
    setVSCodeBroker() {
      ask('vsCodeCredentialControl.setVSCodeBroker');
    },
    setVsCodeCredentialFinder() {
      ask('vsCodeCredentialControl.setVsCodeCredentialFinder');
    },
  },
};

/**
 * Extends azcred with a plugin, as @azure/identity's useIdentityPlugin: calls `plugin(context)`.
 * @param {(context: unknown) => void} plugin
 */
function useIdentityPlugin(plugin) {
  plugin(context);
}

module.exports = { useIdentityPlugin, registry };
