#!/usr/bin/env node
'use strict';
// azcred command line: get a token, explain the chain, run the local identity emulator.

const USAGE = `usage:
  azcred token [--scope S] [--credential default|managed-identity] [--show]
      Gets a token and prints which credential supplied it and when it expires.
      The token itself is redacted unless --show is given.
  azcred explain [--scope S]
      Lists each credential of DefaultAzureCredential, whether it will be tried and why not;
      with --scope, also gets a token and says which credential supplied it.
  azcred emulator [--port N] [--lifetime SECONDS] [--from-az]
      Runs the local managed-identity emulator (App Service and IMDS protocols) on 127.0.0.1
      and prints the environment variables an app needs.
`;

const DEFAULT_SCOPE = 'https://management.azure.com/.default';

function parse(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--show') out.show = true;
    else if (a === '--scope' || a === '--credential') {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      out[a.slice(2)] = argv[++i];
    } else if (a === '-h' || a === '--help') out.help = true;
    else out._.push(a);
  }
  return out;
}

function redact(token) {
  return token.length > 12 ? `${token.slice(0, 6)}...[${token.length} chars]` : '[redacted]';
}

function printReport(report) {
  for (const m of report) {
    const mark = m.selected ? '*' : m.available ? '+' : '-';
    console.log(`  ${mark} ${m.name}: ${m.detail}`);
  }
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === 'emulator') {
    return require('../lib/emulator').runEmulatorCli(rest);
  }
  let args;
  try {
    args = parse(rest);
  } catch (e) {
    console.error(`azcred: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (!command || args.help || !['token', 'explain'].includes(command)) {
    (command && !args.help ? console.error : console.log)(USAGE);
    return command && !args.help ? 2 : 0;
  }
  const azcred = require('..');
  const kind = args.credential || 'default';
  let credential;
  try {
    if (kind === 'default') credential = new azcred.DefaultAzureCredential();
    else if (kind === 'managed-identity') credential = new azcred.ManagedIdentityCredential();
    else throw new Error(`unknown credential '${kind}'`);
  } catch (e) {
    console.error(`azcred: ${e.message}`);
    return 1;
  }
  if (command === 'explain') {
    console.log(`backend: ${azcred.backend}`);
    console.log(`${credential.constructor.name}:`);
    printReport(credential.explain());
    if (!args.scope) return 0;
  }
  const scope = args.scope || DEFAULT_SCOPE;
  try {
    const token = await credential.getToken(scope);
    const chosen = credential.explain().find((m) => m.selected);
    console.log(`credential: ${chosen ? chosen.name : credential.constructor.name}`);
    console.log(`scope: ${scope}`);
    console.log(`expires: ${new Date(token.expiresOnTimestamp).toISOString()}`);
    console.log(`token: ${args.show ? token.token : redact(token.token)}`);
    return 0;
  } catch (e) {
    console.error(`${e.name}: ${e.message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`azcred: ${e && e.message}`);
    process.exitCode = 1;
  },
);
