/**
 * The components one access gateway process serves, as ACCESS_COMPONENTS writes them: entries
 * `name=listen=upstream`, separated by commas (whitespace around them ignored, so a YAML block can
 * put one per line). `listen` is a unix socket path or host:port; `upstream` the component's URL.
 *
 *   ACCESS_COMPONENTS="jaeger=/run/access/jaeger.sock=https://jaeger:16686,
 *                      prometheus=/run/access/prometheus.sock=https://prometheus:9090"
 *
 * Only the split, nothing checked: the CLI's schema (access-gateway-config.ts) validates each
 * field; the health probe (access-gateway-probe.ts) reads the same list without loading zod.
 */
/** The gateway's own liveness, on every listener: answered there, never forwarded nor recorded. */
export const HEALTH_PATH = '/-/access-gateway/health';

export interface ComponentEntry {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
}

export function splitComponents(spec: string): ComponentEntry[] {
  return spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      // name and listen hold no "=": the rest, whatever it holds, is the upstream.
      const [name = '', listen = '', ...upstream] = entry.split('=');
      return { name: name.trim(), listen: listen.trim(), upstream: upstream.join('=').trim() };
    });
}

/** Where a component's access log goes: `<dir>/<name>-access.jsonl` (pino-roll numbers the files). */
export const accessLogFile = (dir: string, name: string): string => `${dir.replace(/\/+$/, '')}/${name}-access.jsonl`;
