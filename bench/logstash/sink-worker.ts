// A counting lumberjack receiver in a worker thread (its own core, as Logstash would be its own process): inflates,
// splits frames and acknowledges every window, without parsing the JSON documents.
import { parentPort } from 'node:worker_threads';
import { LumberjackReceiver } from '../../test/support/lumberjack/receiver.js';

const rx = await LumberjackReceiver.start({ record: false });
parentPort!.postMessage({ port: rx.port });
parentPort!.on('message', (m: string) => {
  if (m === 'count') parentPort!.postMessage({ received: rx.received });
  if (m === 'close') void rx.close().then(() => process.exit(0));
});
