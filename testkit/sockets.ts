// Raw sockets for tests that must cut a body at a chosen byte, which no HTTP client lets them do.
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
