'use strict';
// Values the package exports as they are, shared by the Node and web entries.

/** The authority hosts of the national clouds, as @azure/identity's AzureAuthorityHosts. */
const AzureAuthorityHosts = {
  AzureChina: 'https://login.chinacloudapi.cn',
  AzureGermany: 'https://login.microsoftonline.de',
  AzureGovernment: 'https://login.microsoftonline.us',
  AzurePublicCloud: 'https://login.microsoftonline.com',
};

module.exports = { AzureAuthorityHosts };
