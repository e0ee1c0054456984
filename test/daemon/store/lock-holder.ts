// Child process for the instance-lock tests: takes the lock without keeping the handle, collects garbage (run with
// --expose-gc) so the lock must survive that, says so with its pid, then stays alive until killed.
import { acquireInstanceLock } from '../../../daemon/store/instance-lock.ts';

acquireInstanceLock(process.argv[2]!);
globalThis.gc?.();
process.stdout.write(`locked ${process.pid}\n`);
setInterval(() => {}, 60_000);
