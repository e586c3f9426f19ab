// An HTTP-triggered function (the @azure/functions v4 programming model) that stores and reads
// blobs with azcred's DefaultAzureCredential, as it would with @azure/identity's:
//
//   POST /api/blobs?name=<blob>   body: the text to store     -> 201 { name, bytes }
//   GET  /api/blobs?name=<blob>                               -> 200 the blob's text (404 if absent)
//   GET  /api/blobs                                           -> 200 { container, blobs: [names] }
//
// On Azure the credential uses the Function App's managed identity (give it "Storage Blob Data
// Contributor" on the account); on a laptop, `az login` or the identity emulator
// (`npx azcred emulator`). AZURE_STORAGE_ACCOUNT_URL (or AZURE_STORAGE_ACCOUNT_NAME) names the
// account, BLOB_CONTAINER the container (default azcred-functions).
'use strict';

const { app } = require('@azure/functions');
const { BlobServiceClient } = require('@azure/storage-blob');
const { DefaultAzureCredential } = require('azcred');

// One credential and one client per worker process: tokens are cached across invocations.
const accountUrl =
  process.env.AZURE_STORAGE_ACCOUNT_URL ?? `https://${process.env.AZURE_STORAGE_ACCOUNT_NAME}.blob.core.windows.net`;
const credential = new DefaultAzureCredential();
const blobServiceClient = new BlobServiceClient(accountUrl, credential);
const containerName = process.env.BLOB_CONTAINER ?? 'azcred-functions';

let containerReady;
function container() {
  const client = blobServiceClient.getContainerClient(containerName);
  containerReady ??= client.createIfNotExists().catch((e) => {
    containerReady = undefined;
    throw e;
  });
  return containerReady.then(() => client);
}

/** @param {import('@azure/functions').HttpRequest} request
 *  @param {import('@azure/functions').InvocationContext} context
 *  @returns {Promise<import('@azure/functions').HttpResponseInit>} */
async function blobs(request, context) {
  const name = request.query.get('name');
  const client = await container();
  if (request.method === 'POST') {
    if (!name) return { status: 400, jsonBody: { error: 'the name query parameter is required' } };
    const text = await request.text();
    await client.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
    context.log(`stored ${name} (${Buffer.byteLength(text)} bytes) in ${containerName}`);
    return { status: 201, jsonBody: { name, bytes: Buffer.byteLength(text) } };
  }
  if (name) {
    const blob = client.getBlockBlobClient(name);
    if (!(await blob.exists())) return { status: 404, jsonBody: { error: `no blob ${name}` } };
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: (await blob.downloadToBuffer()).toString() };
  }
  const names = [];
  for await (const b of client.listBlobsFlat()) names.push(b.name);
  return { status: 200, jsonBody: { container: containerName, blobs: names } };
}

app.http('blobs', { methods: ['GET', 'POST'], authLevel: 'function', handler: blobs });

module.exports = { blobs };
