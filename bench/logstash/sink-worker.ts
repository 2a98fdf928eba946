// A counting lumberjack receiver in its own process (as Logstash would be): inflates, splits frames and acknowledges
// every window, without parsing the JSON documents. Talks to the bench over IPC; its CPU is not the beat's.
import { LumberjackReceiver } from '../../test/support/lumberjack/receiver.js';

const rx = await LumberjackReceiver.start({ record: false });
process.send!({ port: rx.port });
process.on('message', (m: string) => {
  if (m === 'count') process.send!({ received: rx.received });
  if (m === 'close') void rx.close().then(() => process.exit(0));
});
