// Sockets for tests: raw ones that must cut a body at a chosen byte, which no HTTP client lets them
// do, and a test's own servers listening on loopback.
import type net from 'node:net';

/** Write, and wait while the socket is full; a socket the server closed meanwhile ends the wait too. */
export async function writeAll(socket: net.Socket, bytes: Uint8Array): Promise<void> {
  if (socket.destroyed || socket.write(bytes)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      socket.off('drain', done).off('close', done);
      resolve();
    };
    socket.on('drain', done).on('close', done);
  });
}

/** Listen on a free loopback port; the server's base URL (`http://127.0.0.1:<port>`). */
export async function listenLocally(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}
