import { ProtocolRegistry } from '../../../src/beats/packetbeat/protos/registry.js';
import type { Direction, Endpoint, ProtocolContext, TcpConnection, TcpProtocol, UdpProtocol } from '../../../src/beats/packetbeat/protos/protocol.js';
import { readCommonConfig } from '../../../src/beats/packetbeat/protos/common-config.js';
import { NOTE_NO_RESPONSE, Status, transactionEvent } from '../../../src/beats/packetbeat/protos/transaction.js';

/**
 * Test protocols for the engine (not shipped):
 * - `line`: a request is a `\n`-terminated line from the client, the response the next line from the server;
 *   FIFO correlation; unanswered lines become events with status Error at close. Gaps are recorded as notes.
 * - `streams`: one event per TCP connection at close with every byte seen per direction (`bytes_in`/`bytes_out`,
 *   `gaps`, `fins`); lets tests compare reassembly with an oracle.
 * - `datagrams`: one event per UDP datagram.
 */

interface LineState {
  buf: [string, string];
  pending: { line: string; ts: number }[];
  notes: string[];
}

function createLine(cfg: import('../../../src/libbeat/config/config-node.js').ConfigNode, ctx: ProtocolContext): TcpProtocol<LineState> {
  const common = readCommonConfig(cfg, [7777]);
  const report = (conn: TcpConnection, req: { line: string; ts: number } | undefined, resp: string | undefined, ts: number, notes: string[]): void => {
    ctx.report(
      transactionEvent({
        type: 'line',
        transport: 'tcp',
        client: conn.client,
        server: conn.server,
        requestTs: req?.ts ?? ts,
        responseTs: resp !== undefined ? ts : undefined,
        status: resp === undefined ? Status.error : resp.startsWith('ERR') ? Status.serverError : Status.ok,
        method: req?.line.split(' ')[0],
        query: req?.line,
        bytesIn: req ? req.line.length + 1 : undefined,
        bytesOut: resp !== undefined ? resp.length + 1 : undefined,
        notes: resp === undefined ? [...notes, NOTE_NO_RESPONSE] : req === undefined ? [...notes, 'Request not found'] : notes,
        fields: { line: { response: resp } },
      }),
    );
  };
  return {
    name: 'line',
    ports: common.ports,
    transactionTimeoutMs: common.transactionTimeoutMs,
    parse(pkt, conn, dir, state) {
      const s: LineState = state ?? { buf: ['', ''], pending: [], notes: [] };
      s.buf[dir] += pkt.payload.toString('latin1');
      let i: number;
      while ((i = s.buf[dir].indexOf('\n')) >= 0) {
        const line = s.buf[dir].slice(0, i).replace(/\r$/, '');
        s.buf[dir] = s.buf[dir].slice(i + 1);
        if (dir === 0) s.pending.push({ line, ts: pkt.ts });
        else {
          const req = s.pending.shift();
          report(conn, req, line, pkt.ts, s.notes);
          s.notes = [];
        }
      }
      return s;
    },
    receivedFin(_conn, _dir, state) {
      return state;
    },
    gapInStream(_conn, dir: Direction, nbytes, state) {
      const s: LineState = state ?? { buf: ['', ''], pending: [], notes: [] };
      s.notes.push(`gap ${nbytes} in dir ${dir}`);
      s.buf[dir] = '';
      return { state: s, drop: false };
    },
    connectionClosed(conn, state) {
      if (!state) return;
      for (const req of state.pending) report(conn, req, undefined, req.ts, state.notes);
      state.pending = [];
    },
  };
}

export interface StreamsState {
  data: [Buffer[], Buffer[]];
  gaps: number[];
  fins: number[];
  firstTs: number;
}

function createStreams(cfg: import('../../../src/libbeat/config/config-node.js').ConfigNode, ctx: ProtocolContext): TcpProtocol<StreamsState> {
  const common = readCommonConfig(cfg, []);
  const fresh = (ts: number): StreamsState => ({ data: [[], []], gaps: [], fins: [], firstTs: ts });
  return {
    name: 'streams',
    ports: common.ports,
    transactionTimeoutMs: common.transactionTimeoutMs,
    parse(pkt, _conn, dir, state) {
      const s = state ?? fresh(pkt.ts);
      s.data[dir].push(Buffer.from(pkt.payload));
      return s;
    },
    receivedFin(_conn, dir, state) {
      const s = state ?? fresh(ctx.now());
      s.fins.push(dir);
      return s;
    },
    gapInStream(_conn, dir, nbytes, state) {
      const s = state ?? fresh(ctx.now());
      s.gaps.push(dir === 0 ? nbytes : -nbytes);
      return { state: s, drop: false };
    },
    connectionClosed(conn, state) {
      if (!state) return;
      const req = Buffer.concat(state.data[0]);
      const resp = Buffer.concat(state.data[1]);
      const ev = transactionEvent({
        type: 'streams',
        transport: 'tcp',
        client: conn.client,
        server: conn.server,
        requestTs: state.firstTs,
        status: Status.ok,
        bytesIn: req.length,
        bytesOut: resp.length,
        fields: { streams: { request: req.toString('latin1'), response: resp.toString('latin1'), gaps: state.gaps, fins: state.fins, conn_id: conn.id } },
      });
      ctx.report(ev);
    },
  };
}

function createDatagrams(cfg: import('../../../src/libbeat/config/config-node.js').ConfigNode, ctx: ProtocolContext): UdpProtocol {
  const common = readCommonConfig(cfg, []);
  let flushed = 0;
  return {
    name: 'datagrams',
    ports: common.ports,
    transactionTimeoutMs: common.transactionTimeoutMs,
    parseUdp(pkt, client: Endpoint, server: Endpoint, dir) {
      ctx.report(
        transactionEvent({
          type: 'datagrams',
          transport: 'udp',
          client,
          server,
          requestTs: pkt.ts,
          status: Status.ok,
          bytesIn: dir === 0 ? pkt.payload.length : 0,
          bytesOut: dir === 1 ? pkt.payload.length : 0,
          fields: { datagrams: { dir, payload: pkt.payload.toString('latin1') } },
        }),
      );
    },
    flush() {
      flushed++;
      if (flushed > 1) throw new Error('flushed twice');
    },
  };
}

export function testProtocols(): ProtocolRegistry {
  const r = new ProtocolRegistry();
  r.register('line', createLine);
  r.register('streams', createStreams);
  r.register('datagrams', createDatagrams);
  return r;
}
