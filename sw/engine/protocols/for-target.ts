// One protocol adapter per destination, kept for the worker's life (a tus adapter remembers
// what the server's OPTIONS said). Records made before destinations existed went to Ferry.
import { FERRY_TARGET, formatTarget, parseTarget } from '../../../common/target.js';
import { FerryProtocol } from './ferry.js';
import { IetfProtocol } from './ietf.js';
import type { FetchLike, UploadProtocol } from './port.js';
import { TusProtocol } from './tus.js';

export interface ProtocolFor {
  (target: string | undefined): UploadProtocol;
  /** The target as kept with an upload: relative URLs resolved, written one way (none: as given). */
  resolve?(target: string | undefined): string;
}

/** `base`: what relative target URLs are resolved against (the worker's origin); `fallback`: the target of uploads that name none. */
export function protocolsOver(fetch: FetchLike, base?: string, fallback = FERRY_TARGET): ProtocolFor {
  const made = new Map<string, UploadProtocol>();
  const protocolFor: ProtocolFor = (raw = fallback) => {
    let protocol = made.get(raw);
    if (!protocol) {
      const target = parseTarget(raw, base);
      protocol =
        target.protocol === 'ferry' ? new FerryProtocol(fetch, target.base)
        : target.protocol === 'tus' ? new TusProtocol(fetch, target.endpoint)
        : new IetfProtocol(fetch, target.endpoint, target.interop);
      made.set(raw, protocol);
    }
    return protocol;
  };
  protocolFor.resolve = (raw = fallback) => formatTarget(parseTarget(raw, base));
  return protocolFor;
}
