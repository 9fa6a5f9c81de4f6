import * as grpc from '@grpc/grpc-js';

/**
 * One OTLP gRPC Export call with an empty request (a valid ExportTraceServiceRequest: zero bytes),
 * the way the collector or an SDK would open it; resolves to the gRPC status code it ended with
 * (0 OK, 14 UNAVAILABLE for a refused handshake, 16 UNAUTHENTICATED for a refused key).
 */
export async function otlpGrpcExport(
  target: string,
  creds: grpc.ChannelCredentials,
  metadata: Record<string, string> = {},
  serverName?: string,
  /** The request's bytes (default: an empty, valid ExportTraceServiceRequest). */
  body: Buffer = Buffer.alloc(0),
): Promise<{ code: number; details: string }> {
  const client = new grpc.Client(target, creds, {
    ...(serverName ? { 'grpc.ssl_target_name_override': serverName } : {}),
    'grpc.max_reconnect_backoff_ms': 1000,
    'grpc.max_send_message_length': Math.max(4 << 20, body.length + 1024), // the collector is the one to refuse
  });
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        (req: Buffer) => req,
        (res: Buffer) => res,
        body,
        md,
        { deadline: Date.now() + 10_000 },
        (err) => resolve(err ? { code: err.code ?? -1, details: err.details ?? err.message } : { code: 0, details: 'OK' }),
      );
    });
  } finally {
    client.close();
  }
}

export const grpcCredentials = {
  plaintext: () => grpc.credentials.createInsecure(),
  tls: (ca: Buffer, key?: Buffer, cert?: Buffer) => grpc.credentials.createSsl(ca, key ?? null, cert ?? null),
};
