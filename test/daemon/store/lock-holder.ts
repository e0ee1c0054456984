// Child process for the instance-lock test: takes the lock, says so, then stays alive until killed.
import { acquireInstanceLock } from '../../../daemon/store/instance-lock.ts';

acquireInstanceLock(process.argv[2]!);
process.stdout.write('locked\n');
setInterval(() => {}, 60_000);
