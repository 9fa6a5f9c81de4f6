#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { HEALTH_PATH, splitComponents } from './access-components.js';

/**
 * Is the access gateway healthy? Every listener in ACCESS_COMPONENTS (the gateway's own
 * environment: compose's healthcheck runs in its container, local:up passes the same list) answers
 * its own health, not forwarded. Exit 0 when all do; else 1, naming those that did not. Small on
 * purpose (node:http and the list's split, no zod, no SDK): it runs every 10 s inside the
 * gateway's memory limit.
 */
const components = splitComponents(process.env.ACCESS_COMPONENTS ?? '');
const tls = process.env.ACCESS_SERVER_CERT_FILE
  ? {
      ca: readFileSync(process.env.TLS_CA_FILE ?? ''),
      cert: readFileSync(process.env.TLS_CERT_FILE ?? ''),
      key: readFileSync(process.env.TLS_KEY_FILE ?? ''),
    }
  : null;

const healthy = (listen: string) =>
  new Promise<string | null>((resolve) => {
    const [host, port] = listen.split(/:(?=\d+$)/);
    const where = listen.startsWith('/') ? { socketPath: listen } : { host, port: Number(port) };
    const get = tls ? httpsGet : httpGet;
    get({ ...where, ...(tls ?? {}), path: HEALTH_PATH, timeout: 2500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? null : `status ${res.statusCode}`);
    })
      .on('timeout', function (this: { destroy(e: Error): void }) {
        this.destroy(new Error('no answer in 2.5 s'));
      })
      .on('error', (err) => resolve(err.message));
  });

if (components.length === 0) {
  console.error('access gateway probe: ACCESS_COMPONENTS names no component');
  process.exit(1);
}
const results = await Promise.all(components.map(async (c) => ({ c, problem: await healthy(c.listen) })));
const failed = results.filter((r) => r.problem);
for (const { c, problem } of failed) console.error(`access gateway probe: ${c.name} (${c.listen}): ${problem}`);
process.exit(failed.length ? 1 : 0);
