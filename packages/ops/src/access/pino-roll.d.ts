/** pino-roll ships no types: its default export, as the gateway uses it (a SonicBoom stream). */
declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';
  interface PinoRollOptions {
    readonly file: string;
    readonly size?: string | number;
    readonly frequency?: string | number;
    readonly limit?: { readonly count?: number; readonly removeOtherLogFiles?: boolean };
    readonly mkdir?: boolean;
  }
  export default function pinoRoll(options: PinoRollOptions): Promise<DestinationStream & NodeJS.WritableStream & { flushSync(): void; end(): void }>;
}
