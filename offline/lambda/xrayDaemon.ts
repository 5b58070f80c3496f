import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

/** A segment or subsegment the X-Ray SDK sent. */
export interface XraySegment {
  readonly name: string;
  readonly traceId?: string;
  /** Subsegments are sent on their own with type "subsegment". */
  readonly type?: string;
  readonly namespace?: string;
  readonly error?: boolean;
  readonly fault?: boolean;
}

/**
 * A stand-in for the X-Ray daemon Lambda runs next to every function: a UDP
 * socket on loopback (AWS_XRAY_DAEMON_ADDRESS) that keeps what the functions'
 * Tracer sends (each datagram: a JSON header line, then the segment), so the
 * offline run can show that tracing works through the bundles.
 */
export class XrayDaemon {
  public readonly segments: XraySegment[] = [];

  private constructor(private readonly socket: dgram.Socket) {}

  public static async start(): Promise<XrayDaemon> {
    const socket = dgram.createSocket('udp4');
    const daemon = new XrayDaemon(socket);
    socket.on('message', (message) => {
      const body = message.toString('utf8').split('\n').slice(1).join('\n');
      try {
        daemon.segments.push(JSON.parse(body) as XraySegment);
      } catch {
        // not a segment: ignored, as the daemon would
      }
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return daemon;
  }

  /** `127.0.0.1:<port>`. */
  public get address(): string {
    return `127.0.0.1:${(this.socket.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
