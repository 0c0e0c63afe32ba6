// The caller's address and port as its connection's socket reports them (no proxy header is
// trusted: fastify's trustProxy is off, so request.ip is the socket's address), read once per
// connection: a keep-alive connection's peer does not change, and request.ip and
// socket.remotePort cost two trips through Node's getpeername getters per request (~1,100
// instructions of a cache hit, bench/http/profile.mjs).
import type { FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { DecisionQuery } from '../decisions/types.js';

/** The query's own fields for the peer (one type for the concept). */
export type Peer = Readonly<Pick<DecisionQuery, 'remoteAddress' | 'remotePort'>>;

const PEER = Symbol('pdp.peer');
type WithPeer = Socket & { [PEER]?: Peer };

export function peerOf(request: FastifyRequest): Peer {
  const socket = request.socket as WithPeer | undefined;
  if (socket === undefined) return { remoteAddress: undefined, remotePort: undefined };
  let peer = socket[PEER];
  if (peer === undefined) {
    peer = { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort };
    // Kept only once known: a socket that has already closed reports none.
    if (peer.remoteAddress !== undefined) socket[PEER] = peer;
  }
  return peer;
}
