// The baseline: the least a Node server can do with an upload. It streams the
// body to a file, fsyncs it and answers 200. Ferry is measured against this.
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.env.SINK_DIR ?? '.';
let count = 0;

const server = createServer({ requestTimeout: 0 }, (req, res) => {
  const file = createWriteStream(path.join(dir, `upload-${count++}`), { flush: true });
  pipeline(req, file).then(
    () => res.writeHead(200).end('ok'),
    () => res.destroy(),
  );
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
