// One protocol adapter per destination, kept for the worker's life (a tus adapter remembers
// what the server's OPTIONS said). Records made before destinations existed went to Ferry.
import { FERRY_TARGET, parseTarget } from '../../../common/target.js';
import { FerryProtocol } from './ferry.js';
import { IetfProtocol } from './ietf.js';
import type { FetchLike, UploadProtocol } from './port.js';
import { TusProtocol } from './tus.js';

export type ProtocolFor = (target: string | undefined) => UploadProtocol;

export function protocolsOver(fetch: FetchLike): ProtocolFor {
  const made = new Map<string, UploadProtocol>();
  return (raw = FERRY_TARGET) => {
    let protocol = made.get(raw);
    if (!protocol) {
      const target = parseTarget(raw);
      protocol =
        target.protocol === 'ferry' ? new FerryProtocol(fetch)
        : target.protocol === 'tus' ? new TusProtocol(fetch, target.endpoint)
        : new IetfProtocol(fetch, target.endpoint, target.interop);
      made.set(raw, protocol);
    }
    return protocol;
  };
}
