/**
 * Generates the stack's secrets, one file each, into DIR — only those missing, so re-running keeps
 * them (pass --rotate to replace all). Used by compose's secrets-init service and by local:up.
 * Nothing here is ever committed: DIR is a volume (compose) or .local/secrets (native).
 * Files are 0400, owned by whoever runs this (the developer natively, root in compose).
 *
 * Besides the random secrets it writes files derived from them:
 *  otlp_api_keys         the API keys the collector accepts on OTLP (:4317, :4318) from the four
 *                        services (their traces), one per line with the name of its holder
 *                        ("<token> <name>"; bearertokenauth reads the first word of each line and
 *                        re-reads the file when it changes: delete a line to revoke a key)
 *  otlp_internal_keys    the same for the collector's internal OTLP receiver (:4319): the
 *                        collector's and Jaeger's own metrics and logs (otelcol, jaeger)
 *  jaeger_otlp_htpasswd  the collector's login at Jaeger's OTLP receiver (basicauth), bcrypt;
 *                        rewritten on every run
 * The two keys files are written only when missing or on --rotate, so that a line deleted to
 * revoke a sender stays deleted; a holder whose token this run has just made (its
 * otlp_token_<name> was deleted: how one sender's key is replaced) gets its new line instead of
 * the old one.
 *
 * --per-consumer (compose's secrets-init, as root): DIR stays the master copy (the same flat files,
 * then owned by root, 0400), and every container also gets DIR/<consumer>/ with copies of the
 * secrets it reads and nothing else (CONSUMERS): the directory 0500, the files 0400, all
 * owned by the uid the container runs as. Compose mounts each container's directory only
 * (volume.subpath). The copies are rewritten from the master on every run (write, then rename),
 * and files a consumer no longer gets are removed: edit the master, re-run, the copies follow.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { COMPONENTS, SERVICE_NAMES, SERVICES, type ServiceName } from '@orderscope/orders';

/** Who sends traces to the collector (OTLP :4317/:4318), each with its own API key (otlp_token_<name>). */
export const OTLP_SENDERS: readonly string[] = SERVICE_NAMES.map((s) => SERVICES[s].dbSchema);
/** Who pushes its own metrics and logs to the collector's internal OTLP receiver (:4319): the
 *  access gateways send their access records there (docs/logging.md). */
export const OTLP_INTERNAL: readonly string[] = ['otelcol', 'jaeger', 'access_gateway'];
/** Who relays browser telemetry to the collector's untrusted browser port (:4320): the shop's relay. */
export const OTLP_BROWSER: readonly string[] = ['storefront'];
/** Every holder of an OTLP API key. */
export const OTLP_CLIENTS = [...OTLP_SENDERS, ...OTLP_INTERNAL, ...OTLP_BROWSER];
/** The collector's API key files, and whose keys each one holds. */
export const OTLP_KEY_FILES: Readonly<Record<string, readonly string[]>> = {
  otlp_api_keys: OTLP_SENDERS,
  otlp_internal_keys: OTLP_INTERNAL,
  otlp_browser_keys: OTLP_BROWSER,
};
/** The demo users of the identity provider, one per role and one in no group (keycloak/realm-orderscope.json). */
export const DEMO_USERS = ['viewer', 'engineer', 'admin', 'outsider'] as const;
/** The user the collector logs in as at Jaeger's OTLP receiver. */
export const JAEGER_OTLP_USER = 'otel-collector';

export const SECRETS: readonly string[] = [
  'postgres_password',
  ...SERVICE_NAMES.map((s) => `db_password_${SERVICES[s].dbSchema}`),
  'internal_api_token',
  'admin_token',
  'user_id_hmac_key',
  // Opens Jaeger's encrypted trace store. Never rotated here: a new key would lock the stored traces
  // away (change it with gocryptfs -passwd: docs/storage-encryption.md).
  'jaeger_storage_key',
  ...OTLP_CLIENTS.map((client) => `otlp_token_${client}`),
  'jaeger_otlp_password',
  // What Prometheus shows every metrics endpoint (bearer), besides its client certificate.
  'prometheus_scrape_token',
  // Grafana's admin password (compose); Grafana takes it only when it first creates its database.
  'grafana_admin_password',
  // What Alertmanager shows the CRM when it posts alerts to its incidents webhook (bearer).
  'alerts_webhook_token',
  // The dashboards' read-only PostgreSQL login (grafana_reader: the CRM's report_* views only).
  'db_password_grafana',
  // Keycloak (docs/access-control.md): its database login, its bootstrap admin (break-glass), the
  // clients' secrets, the proxy's cookie key, and the demo users' passwords.
  'db_password_keycloak',
  'keycloak_admin_password',
  'oidc_client_secret_oauth2_proxy',
  'oidc_client_secret_grafana',
  'oauth2_proxy_cookie_secret',
  ...DEMO_USERS.map((u) => `demo_password_${u}`),
  // The log store's basic-auth password: only the log gateway (its mTLS door) and the store hold it.
  'victorialogs_password',
];
/** Files derived from SECRETS (see the header). */
export const DERIVED: readonly string[] = [...Object.keys(OTLP_KEY_FILES), 'jaeger_otlp_htpasswd'];

/** One of the four services: its DB password and OTLP key, the shared tokens, the scrape key. */
const service = (name: ServiceName): Consumer => ({
  uid: SERVICES[name].uid,
  secrets: [
    `db_password_${SERVICES[name].dbSchema}`,
    'internal_api_token',
    'admin_token',
    'user_id_hmac_key',
    `otlp_token_${SERVICES[name].dbSchema}`,
    'prometheus_scrape_token',
  ],
});

/**
 * --per-consumer (compose): each container (its compose service name) with the uid it runs as and
 * the only secrets it gets, in DIR/<consumer>/, which docker-compose.yml mounts at the same path as
 * before (volume.subpath). The app image runs as node (1000); postgres as postgres (999) once its
 * entrypoint has dropped root; the collector 10001; Jaeger 10001 (its entrypoint reads the store
 * key as root, then drops to 10001); Prometheus nobody (65534); Grafana 472.
 */
export interface Consumer {
  readonly uid: number;
  readonly secrets: readonly string[];
}

export const CONSUMERS: Readonly<Record<string, Consumer>> = {
  postgres: { uid: COMPONENTS['postgres'].uid, secrets: ['postgres_password'] },
  'db-init': {
    uid: COMPONENTS['db-init'].uid,
    secrets: ['postgres_password', ...SERVICE_NAMES.map((s) => `db_password_${SERVICES[s].dbSchema}`), 'db_password_grafana', 'db_password_keycloak'],
  },
  ...Object.fromEntries(SERVICE_NAMES.map((s) => [s, service(s)])),
  // The shop relays the storefront's telemetry with its own key.
  shop: { ...service('shop'), secrets: [...service('shop').secrets, 'otlp_token_storefront'] },
  // The CRM receives Alertmanager's notifications (its incidents webhook).
  crm: { ...service('crm'), secrets: [...service('crm').secrets, 'alerts_webhook_token'] },
  simulator: { uid: COMPONENTS['simulator'].uid, secrets: ['internal_api_token', 'admin_token'] },
  'otel-collector': {
    uid: COMPONENTS['otel-collector'].uid,
    secrets: ['otlp_api_keys', 'otlp_internal_keys', 'otlp_browser_keys', 'prometheus_scrape_token', 'jaeger_otlp_password', 'otlp_token_otelcol'],
  },
  jaeger: { uid: COMPONENTS['jaeger'].uid, secrets: ['jaeger_otlp_htpasswd', 'otlp_token_jaeger', 'jaeger_storage_key'] },
  prometheus: { uid: COMPONENTS['prometheus'].uid, secrets: ['prometheus_scrape_token'] },
  alertmanager: { uid: COMPONENTS['alertmanager'].uid, secrets: ['alerts_webhook_token'] },
  grafana: { uid: COMPONENTS['grafana'].uid, secrets: ['grafana_admin_password', 'db_password_grafana', 'oidc_client_secret_grafana'] },
  // The identity provider: its database login, its break-glass admin, what its realm file imports.
  keycloak: {
    uid: COMPONENTS['keycloak'].uid,
    secrets: [
      'db_password_keycloak',
      'keycloak_admin_password',
      'oidc_client_secret_oauth2_proxy',
      'oidc_client_secret_grafana',
      ...DEMO_USERS.map((u) => `demo_password_${u}`),
    ],
  },
  'oauth2-proxy': { uid: COMPONENTS['oauth2-proxy'].uid, secrets: ['oidc_client_secret_oauth2_proxy', 'oauth2_proxy_cookie_secret'] },
  'access-gateway': { uid: COMPONENTS['access-gateway'].uid, secrets: ['otlp_token_access_gateway'] },
  victorialogs: { uid: COMPONENTS['victorialogs'].uid, secrets: ['victorialogs_password'] },
  'log-gateway': { uid: COMPONENTS['log-gateway'].uid, secrets: ['victorialogs_password'] },
};

for (const [consumer, { secrets }] of Object.entries(CONSUMERS)) {
  for (const name of secrets) {
    if (!SECRETS.includes(name) && !DERIVED.includes(name)) throw new Error(`CONSUMERS.${consumer}: unknown secret ${name}`);
  }
}

// Read once by their consumers at first start: a new value would not take effect (Grafana keeps its
// admin password in its database) or would lock data away (the trace store's key).
const KEEP_ON_ROTATE = new Set(['jaeger_storage_key', 'grafana_admin_password']);

/** Writes beside, then renames: a reader watching the file never sees half of it. */
function writeAtomic(path: string, content: string | Buffer, uid?: number): void {
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, content, { mode: 0o400 });
  if (uid !== undefined) chownSync(tmp, uid, uid);
  chmodSync(tmp, 0o400);
  renameSync(tmp, path);
}

/** The holder a keys-file line names (its second word). */
const holderOf = (line: string): string | undefined => line.trim().split(/\s+/)[1];

export interface SecretsResult {
  readonly created: string[];
  readonly keys: Record<string, 'written' | 'updated' | 'kept'>;
}

/** Makes what is missing in `dir` (everything but the kept ones with `rotate`); see the header. */
export function ensureSecrets(dir: string, opts: { rotate?: boolean; perConsumer?: boolean } = {}): SecretsResult {
  const rotate = opts.rotate ?? false;
  const perConsumer = opts.perConsumer ?? false;

  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const created: string[] = [];
  for (const name of SECRETS) {
    const path = join(dir, name);
    if (existsSync(path) && (!rotate || KEEP_ON_ROTATE.has(name))) continue;
    writeAtomic(path, randomBytes(32).toString('base64url'));
    created.push(name);
  }
  const read = (name: string) => readFileSync(join(dir, name), 'utf8').trim();

  const keys: Record<string, 'written' | 'updated' | 'kept'> = {};
  for (const [file, holders] of Object.entries(OTLP_KEY_FILES)) {
    const path = join(dir, file);
    const line = (holder: string) => `${read(`otlp_token_${holder}`)} ${holder}\n`;
    if (rotate || !existsSync(path)) {
      writeAtomic(path, holders.map(line).join(''));
      keys[file] = 'written';
      continue;
    }
    // Kept as the operator left it (revoked lines stay out), but for tokens made anew this run.
    const renewed = holders.filter((holder) => created.includes(`otlp_token_${holder}`));
    if (renewed.length) {
      const kept = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '' && !renewed.includes(holderOf(l) ?? ''));
      writeAtomic(path, [...kept.map((l) => `${l}\n`), ...renewed.map(line)].join(''));
    }
    keys[file] = renewed.length ? 'updated' : 'kept';
  }
  writeAtomic(join(dir, 'jaeger_otlp_htpasswd'), `${JAEGER_OTLP_USER}:${bcrypt.hashSync(read('jaeger_otlp_password'), 10)}\n`);

  if (perConsumer) {
    // The master copy: root's, readable by no container (none mounts DIR itself but secrets-init).
    // DIR stays 0755: the names are no secret, and the runtime resolves each subpath through it.
    chownSync(dir, 0, 0);
    chmodSync(dir, 0o755);
    for (const name of [...SECRETS, ...DERIVED]) {
      chownSync(join(dir, name), 0, 0);
      chmodSync(join(dir, name), 0o400);
    }
    for (const [consumer, { uid, secrets }] of Object.entries(CONSUMERS)) {
      const cdir = join(dir, consumer);
      // Never removed and remade: a running container's mount holds on to this very directory.
      if (!existsSync(cdir)) mkdirSync(cdir, { mode: 0o700 });
      if (!lstatSync(cdir).isDirectory()) throw new Error(`${cdir} is not a directory`);
      chownSync(cdir, uid, uid);
      chmodSync(cdir, 0o500);
      for (const entry of readdirSync(cdir)) {
        if (!secrets.includes(entry)) rmSync(join(cdir, entry), { recursive: true, force: true });
      }
      for (const name of secrets) writeAtomic(join(cdir, name), readFileSync(join(dir, name)), uid);
    }
  }

  return { created, keys };
}
