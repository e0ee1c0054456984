// Child process for the keychain-unavailable test: runs each SecretStore operation and prints how it failed.
import { SecretStore } from '../../../daemon/store/secrets.ts';

const [service, secret] = process.argv.slice(2);
const store = new SecretStore(service);

function outcome(action: () => unknown): { ok: true } | { ok: false; name: string; message: string } {
  try {
    action();
    return { ok: true };
  } catch (error) {
    return { ok: false, name: (error as Error).name, message: (error as Error).message };
  }
}

process.stdout.write(
  JSON.stringify({
    set: outcome(() => store.set('work', secret!)),
    get: outcome(() => store.get('work')),
    delete: outcome(() => store.delete('work')),
    probe: store.probe(),
  }),
);
