// The Azure Storage quick start for JavaScript (https://learn.microsoft.com/azure/storage/blobs/
// storage-quickstart-blobs-nodejs), with `@azure/identity` replaced by `azcred`. It runs
// unchanged on Azure (managed identity) and on a developer machine.
//
//   AZURE_STORAGE_ACCOUNT_NAME=<account> node examples/quickstart.mjs
//   (or AZURE_STORAGE_ACCOUNT_URL=https://... for another endpoint, such as Azurite)

import { BlobServiceClient } from '@azure/storage-blob';
import { DefaultAzureCredential } from 'azcred';
import { randomUUID } from 'node:crypto';

const accountName = process.env.AZURE_STORAGE_ACCOUNT_NAME;
const accountUrl = process.env.AZURE_STORAGE_ACCOUNT_URL ?? `https://${accountName}.blob.core.windows.net`;
if (!process.env.AZURE_STORAGE_ACCOUNT_URL && !accountName) {
  throw new Error('Set AZURE_STORAGE_ACCOUNT_NAME (or AZURE_STORAGE_ACCOUNT_URL)');
}

const credential = new DefaultAzureCredential();
const blobServiceClient = new BlobServiceClient(accountUrl, credential);

const containerName = `quickstart${randomUUID()}`;
const containerClient = blobServiceClient.getContainerClient(containerName);
const createContainerResponse = await containerClient.create();
console.log(`Container was created successfully.\n\trequestId:${createContainerResponse.requestId}\n\tURL: ${containerClient.url}`);

const blobName = `quickstart${randomUUID()}.txt`;
const blockBlobClient = containerClient.getBlockBlobClient(blobName);
const data = 'Hello, World!';
const uploadBlobResponse = await blockBlobClient.upload(data, data.length);
console.log(`Blob was uploaded successfully. requestId: ${uploadBlobResponse.requestId}`);

const downloaded = (await blockBlobClient.downloadToBuffer()).toString();
console.log(`Downloaded blob content: ${downloaded}`);

const chosen = credential.explain().find((m) => m.selected);
console.log(`Token supplied by: ${chosen ? chosen.name : 'unknown'}`);

await containerClient.delete();
if (downloaded !== data) {
  console.error('Blob round trip FAILED: the downloaded content differs');
  process.exit(1);
}
console.log('Blob round trip succeeded.');
