// An app's own test with azcred/emulator: start it, hand its variables to a credential, fault it,
// stop it. Checks the public subpath's types as a user imports them.
import { start, startEmulator, EMULATOR_DEFAULTS, PROTOCOLS } from 'azcred/emulator';
import type { Emulator, EmulatorOptions, EmulatorFault, EmulatorProtocol } from 'azcred/emulator';
import { DefaultAzureCredential } from 'azcred';

export async function main(): Promise<void> {
  const faults: EmulatorFault[] = [{ status: 429, retryAfter: 1, count: 1 }, { latencyMs: 10 }];
  const options: EmulatorOptions = { protocol: 'imds', port: 0, faults, lifetimeSeconds: 600 };
  const emu: Emulator = await start(options);
  Object.assign(process.env, emu.env);
  const token = await new DefaultAzureCredential().getToken('https://storage.azure.com/.default');
  const issued: number = emu.counts.tokensIssued;
  emu.setFaults(null);
  emu.reset();
  const protocol: EmulatorProtocol = PROTOCOLS[0];
  console.log(token.expiresOnTimestamp, issued, emu.endpoint, protocol, EMULATOR_DEFAULTS.tenantId);
  await emu.stop();
  const other = await startEmulator({ protocol: 'appService' });
  await other.stop();
  // @ts-expect-error: not a protocol
  await start({ protocol: 'ftp' });
}
